/**
 * The election port's stream (QuorumCnxManager and FastLeaderElection). The
 * side that dials first sends who it is: 3.4 a bare long sid; 3.5 and later
 * a protocol version (-65536, or -65535 with several addresses), the sid and
 * its election address(es). After that both directions carry frames of an
 * int length and a notification: int state, long proposed leader, long zxid,
 * long election epoch, then (by length) long peer epoch, int version, and
 * from version 2 the quorum configuration.
 */
import { readLength, readLong, readString, type Step } from "./jute.js";
import { type Decoder, Undecodable } from "./stream-decoder.js";
import type { WireListener } from "./wire-message.js";
import type { WireSummary } from "./zab-packets.js";

const PROTOCOL_VERSIONS = new Set([-65536n, -65535n]);
/** QuorumCnxManager.PACKETMAXSIZE. */
const MAX_FRAME_BYTES = 512 * 1024;
const MAX_ADDRESS_BYTES = 4096;
/** The shortest notification every release accepts (3.4's back-compatibility form). */
const MIN_NOTIFICATION_BYTES = 28;
const MAX_CONFIG_BYTES = 1 << 16;

/** QuorumPeer.ServerState by ordinal. */
const STATES = ["LOOKING", "FOLLOWING", "LEADING", "OBSERVING"] as const;

/** The version line of a quorum configuration (3.5+ dynamic config), if it has one. */
function configVersion(config: Buffer): string | undefined {
  return /^version=([0-9a-fA-F]+)$/m.exec(config.toString("utf8"))?.[1];
}

/** One notification's fields from its frame body. */
export function notificationSummary(body: Buffer): { zxid: bigint; summary: WireSummary } {
  if (body.length < MIN_NOTIFICATION_BYTES)
    throw new Undecodable(`a notification of ${body.length} bytes`);
  const state = body.readInt32BE(0);
  const name = STATES[state];
  if (name === undefined) throw new Undecodable(`notification state ${state}`);
  const version = body.length >= 40 ? body.readInt32BE(36) : undefined;
  let config: string | undefined;
  if (version !== undefined && version > 1 && body.length >= 44) {
    const length = body.readInt32BE(40);
    if (length >= 0 && 44 + length <= body.length)
      config = configVersion(body.subarray(44, 44 + length));
  }
  return {
    zxid: body.readBigInt64BE(12),
    summary: {
      state: name,
      leader: Number(body.readBigInt64BE(4)),
      electionEpoch: `0x${body.readBigInt64BE(20).toString(16)}`,
      ...(body.length >= 36 ? { peerEpoch: `0x${body.readBigInt64BE(28).toString(16)}` } : {}),
      ...(version !== undefined ? { version } : {}),
      ...(config !== undefined ? { configVersion: config } : {}),
    },
  };
}

/** The dialling side's first message; returns its size. */
function* handshake(emit: WireListener, offset: () => number): Step<void> {
  const first = yield* readLong();
  if (PROTOCOL_VERSIONS.has(first)) {
    const sid = yield* readLong();
    const addresses = yield* readString("election address", MAX_ADDRESS_BYTES);
    emit({
      type: "HANDSHAKE",
      size: 20 + Buffer.byteLength(addresses ?? ""),
      end: offset(),
      summary: { sid: Number(sid), protocol: first.toString(), addresses: addresses ?? "" },
    });
    return;
  }
  if (first < 0n) throw new Undecodable(`election handshake starting ${first}`);
  emit({ type: "HANDSHAKE", size: 8, end: offset(), summary: { sid: Number(first) } });
}

/** Decodes one direction of an election connection; `dialler` is the side that connected. */
export function* electionDecoder(
  emit: WireListener,
  offset: () => number,
  dialler: boolean,
): Decoder {
  if (dialler) yield* handshake(emit, offset);
  for (;;) {
    const length = yield* readLength("election frame", MAX_FRAME_BYTES);
    if (length < MIN_NOTIFICATION_BYTES)
      throw new Undecodable(`an election frame of ${length} bytes`);
    const kept = Math.min(length, MAX_CONFIG_BYTES);
    const body = yield { read: kept };
    if (length > kept) yield { skip: length - kept };
    const { zxid, summary } = notificationSummary(body);
    emit({
      type: "NOTIFICATION",
      zxid,
      size: 4 + length,
      end: offset(),
      summary,
      head: body.subarray(0, Math.min(body.length, 64)),
    });
  }
}
