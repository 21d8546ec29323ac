/**
 * The quorum port's stream, either direction: Zab QuorumPackets written by
 * Jute's BinaryOutputArchive with no framing of their own (int type, long
 * zxid, buffer data, vector<Id> authinfo), and after a SNAP packet the
 * leader's snapshot (sessions, the ACL cache, the nodes up to the "/" marker,
 * then the "BenWasHere" signature), the same in 3.4.5 to 3.9.
 */
import { readLength, readString, type Step, skip } from "./jute.js";
import { type Decoder, type Scan, Undecodable } from "./stream-decoder.js";
import type { WireListener, WireMessage } from "./wire-message.js";
import { type PacketKind, type WireSummary, ZAB_PACKETS } from "./zab-packets.js";

/** jute.maxbuffer's ceiling in practice; a longer field is not a packet. */
const MAX_DATA_BYTES = 64 << 20;
/** Bytes of a packet's data kept for its summary (a TxnHeader is 32). */
export const HEAD_BYTES = 64;
const MAX_AUTH_ENTRIES = 64;
const MAX_AUTH_STRING = 4096;
const MAX_SESSIONS = 10_000_000;
const MAX_ACL_ENTRIES = 10_000_000;
const MAX_PATH_BYTES = 1 << 16;
const SNAPSHOT_SIGNATURE = "BenWasHere";
const EMPTY: Buffer = Buffer.alloc(0);
const NO_SUMMARY: WireSummary = Object.freeze({});
/** A node's acl reference (long) and StatPersisted: 4 longs, 3 ints, 2 longs. */
const NODE_FIXED_BYTES = 8 + 8 * 4 + 4 * 3 + 8 * 2;

/**
 * Takes one whole snapshot node (path, data, acl reference, stat) from a
 * chunk and counts it; leaves the "/" end marker, a path that is no node's
 * and a node split across chunks to the generator.
 */
function scanNode(counted: { nodes: number; bytes: number }): Scan {
  const SLASH = 0x2f;
  return (chunk, position) => {
    if (chunk.length - position < 8) return 0;
    const pathLength = chunk.readInt32BE(position);
    if (pathLength < 0 || pathLength > MAX_PATH_BYTES) return 0;
    const pathEnd = position + 4 + pathLength;
    if (pathEnd + 4 > chunk.length) return 0;
    if (pathLength > 0 && (chunk[position + 4] !== SLASH || pathLength === 1)) return 0;
    const data = chunk.readInt32BE(pathEnd);
    if (data < -1 || data > MAX_DATA_BYTES) return 0;
    const end = pathEnd + 4 + Math.max(data, 0) + NODE_FIXED_BYTES;
    if (end > chunk.length) return 0;
    counted.nodes++;
    counted.bytes += end - position;
    return end - position;
  };
}

/** The snapshot after SNAP; returns its node and session counts and its size. */
function* snapshot(): Step<{ sessions: number; nodes: number; size: number }> {
  let size = 0;
  const sessions = yield* readLength("session count", MAX_SESSIONS);
  yield* skip(Math.max(sessions, 0) * 12);
  size += 4 + Math.max(sessions, 0) * 12;
  const acls = yield* readLength("ACL cache size", MAX_ACL_ENTRIES);
  size += 4;
  for (let i = 0; i < acls; i++) {
    yield* skip(8);
    const count = yield* readLength("ACL list", MAX_ACL_ENTRIES);
    size += 12;
    for (let j = 0; j < count; j++) {
      yield* skip(4);
      const scheme = yield* readString("ACL scheme", MAX_AUTH_STRING);
      const id = yield* readString("ACL id", MAX_AUTH_STRING);
      size += 12 + Buffer.byteLength(scheme ?? "") + Buffer.byteLength(id ?? "");
    }
  }
  // Whole nodes in a chunk are counted by the scan; the generator reads the rest and the end marker.
  const scanned = { nodes: 0, bytes: 0 };
  const scan = scanNode(scanned);
  let nodes = 0;
  for (;;) {
    const path = yield* readString("node path", MAX_PATH_BYTES, scan);
    size += 4 + Buffer.byteLength(path ?? "");
    if (path === "/") break;
    if (path === undefined || (path !== "" && !path.startsWith("/")))
      throw new Undecodable(`snapshot node path '${path}'`);
    const data = yield* readLength("node data", MAX_DATA_BYTES);
    yield* skip(Math.max(data, 0) + NODE_FIXED_BYTES);
    size += 4 + Math.max(data, 0) + NODE_FIXED_BYTES;
    nodes++;
  }
  nodes += scanned.nodes;
  size += scanned.bytes;
  const signature = yield* readString("snapshot signature", 64);
  if (signature !== SNAPSHOT_SIGNATURE) throw new Undecodable(`snapshot signature '${signature}'`);
  size += 4 + SNAPSHOT_SIGNATURE.length;
  return { sessions: Math.max(sessions, 0), nodes, size };
}

/** A packet's message: -1 is "no zxid" (UPTODATE, REQUEST, a learner's PING). */
function packetMessage(
  kind: PacketKind,
  zxid: bigint,
  length: number,
  head: Buffer,
  authBytes: number,
  end: number,
): WireMessage {
  // One literal shape, no spreads: this runs for every packet of a busy link.
  return {
    type: kind.name,
    zxid: zxid !== -1n ? zxid : undefined,
    size: 12 + 4 + Math.max(length, 0) + authBytes,
    end,
    summary: kind.summarise?.(head, length) ?? NO_SUMMARY,
    head: head.length > 0 ? head : undefined,
  };
}

/**
 * Takes one whole packet with no authinfo from a chunk, as the generator
 * would decode it; leaves anything else (SNAP and its snapshot, authinfo,
 * a bad header, a packet split across chunks) to the generator.
 */
function scanPacket(emit: WireListener): Scan {
  return (chunk, position, offset) => {
    if (chunk.length - position < 20) return 0;
    const kind = ZAB_PACKETS.get(chunk.readInt32BE(position));
    if (kind === undefined || kind.name === "SNAP") return 0;
    const length = chunk.readInt32BE(position + 12);
    if (length < -1 || length > MAX_DATA_BYTES) return 0;
    const dataEnd = position + 16 + Math.max(length, 0);
    if (dataEnd + 4 > chunk.length) return 0;
    const entries = chunk.readInt32BE(dataEnd);
    if (entries !== -1 && entries !== 0) return 0;
    const size = dataEnd + 4 - position;
    const head =
      length > 0
        ? chunk.subarray(position + 16, position + 16 + Math.min(length, HEAD_BYTES))
        : EMPTY;
    emit(packetMessage(kind, chunk.readBigInt64BE(position + 4), length, head, 4, offset + size));
    return size;
  };
}

/** Decodes QuorumPackets (and the snapshot after SNAP) into `emit`. */
export function* quorumDecoder(emit: WireListener, offset: () => number): Decoder {
  const scan = scanPacket(emit);
  for (;;) {
    // Type, zxid and the data's length in one read; whole short packets go by the scan.
    const header = yield { read: 16, scan };
    const type = header.readInt32BE(0);
    const kind = ZAB_PACKETS.get(type);
    if (kind === undefined) throw new Undecodable(`unknown Zab packet type ${type}`);
    const zxid = header.readBigInt64BE(4);
    const length = header.readInt32BE(12);
    if (length < -1 || length > MAX_DATA_BYTES)
      throw new Undecodable(`packet data of length ${length}`);
    let head = EMPTY;
    if (length > 0) {
      head = yield { read: Math.min(length, HEAD_BYTES) };
      if (length > HEAD_BYTES) yield { skip: length - HEAD_BYTES };
    }
    const entries = (yield { read: 4 }).readInt32BE(0);
    if (entries < -1 || entries > MAX_AUTH_ENTRIES)
      throw new Undecodable(`authinfo of length ${entries}`);
    let authBytes = 4;
    for (let i = 0; i < entries; i++) {
      const scheme = yield* readString("auth scheme", MAX_AUTH_STRING);
      const id = yield* readString("auth id", MAX_AUTH_STRING);
      authBytes += 8 + Buffer.byteLength(scheme ?? "") + Buffer.byteLength(id ?? "");
    }
    emit(packetMessage(kind, zxid, length, head, authBytes, offset()));
    if (kind.name === "SNAP") {
      const sent = yield* snapshot();
      emit({
        type: "SNAPSHOT",
        zxid,
        size: sent.size,
        end: offset(),
        summary: { nodes: sent.nodes, sessions: sent.sessions },
      });
    }
  }
}
