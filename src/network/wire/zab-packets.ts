/**
 * Zab's packet types (Leader.java, the same numbers in every release from
 * 3.4 to 3.9; COMMITANDACTIVATE and INFORMANDACTIVATE since 3.5) and what a
 * summary of each packet's data says. Pure: bytes in, small fields out.
 */
/** A Zab packet type's name and who sends it. */
export interface PacketKind {
  readonly name: string;
  /** Summarises the first bytes of the packet's data. */
  readonly summarise?: (head: Buffer, length: number) => WireSummary;
}

/** A message's summarised body: a few named fields, never the body itself. */
export type WireSummary = Readonly<Record<string, string | number>>;

/** ZooDefs.OpCode: the request and transaction types a proposal or request carries. */
const OP_NAMES: Readonly<Record<number, string>> = {
  0: "notification",
  1: "create",
  2: "delete",
  3: "exists",
  4: "getData",
  5: "setData",
  6: "getACL",
  7: "setACL",
  8: "getChildren",
  9: "sync",
  11: "ping",
  12: "getChildren2",
  13: "check",
  14: "multi",
  15: "create2",
  16: "reconfig",
  17: "checkWatches",
  18: "removeWatches",
  19: "createContainer",
  20: "deleteContainer",
  21: "createTTL",
  22: "multiRead",
  100: "auth",
  101: "setWatches",
  102: "sasl",
  103: "getEphemerals",
  104: "getAllChildrenNumber",
  105: "setWatches2",
  106: "addWatch",
  107: "whoAmI",
  [-10]: "createSession",
  [-11]: "closeSession",
  [-1]: "error",
};

/** An opcode's name, or op<N> for one this table does not know. */
export function opName(code: number): string {
  return OP_NAMES[code] ?? `op${code}`;
}

function hexSession(id: bigint): string {
  return `0x${BigInt.asUintN(64, id).toString(16)}`;
}

/** FOLLOWERINFO/OBSERVERINFO: LearnerInfo (sid, protocol version, config version), or a bare sid before 3.4's protocol. */
function learnerInfo(head: Buffer): WireSummary {
  return {
    ...(head.length >= 8 ? { sid: Number(head.readBigInt64BE(0)) } : {}),
    ...(head.length >= 12 ? { protocol: `0x${head.readInt32BE(8).toString(16)}` } : {}),
    ...(head.length >= 20 ? { configVersion: `0x${head.readBigInt64BE(12).toString(16)}` } : {}),
  };
}

/** PROPOSAL/INFORM: the TxnHeader (clientId, cxid, zxid, time, type). */
function txnHeader(head: Buffer, length: number): WireSummary {
  if (head.length < 32) return { bytes: length };
  return {
    session: hexSession(head.readBigInt64BE(0)),
    cxid: head.readInt32BE(8),
    txn: opName(head.readInt32BE(28)),
    bytes: length,
  };
}

/** REQUEST: a client request a learner forwards (sessionId, cxid, type, request). */
function forwardedRequest(head: Buffer, length: number): WireSummary {
  if (head.length < 16) return { bytes: length };
  return {
    session: hexSession(head.readBigInt64BE(0)),
    cxid: head.readInt32BE(8),
    op: opName(head.readInt32BE(12)),
    bytes: length,
  };
}

/** A summary of one field, or none when the body is too short to hold it. */
function only(name: string, value: string | number | undefined): WireSummary {
  return value === undefined ? {} : { [name]: value };
}

function intField(name: string): (head: Buffer) => WireSummary {
  return (head) => only(name, head.length >= 4 ? head.readInt32BE(0) : undefined);
}

function bytesOnly(_head: Buffer, length: number): WireSummary {
  return only("bytes", length > 0 ? length : undefined);
}

const PACKET_KINDS: readonly (readonly [number, PacketKind])[] = [
  [1, { name: "REQUEST", summarise: forwardedRequest }],
  [2, { name: "PROPOSAL", summarise: txnHeader }],
  [3, { name: "ACK" }],
  [4, { name: "COMMIT" }],
  // Leader to learner: empty; learner to leader: its sessions (id, timeout) to touch.
  [
    5,
    {
      name: "PING",
      summarise: (_head, length) =>
        only("sessions", length > 0 ? Math.floor(length / 12) : undefined),
    },
  ],
  [
    6,
    {
      name: "REVALIDATE",
      summarise: (head) =>
        only("session", head.length >= 8 ? hexSession(head.readBigInt64BE(0)) : undefined),
    },
  ],
  [7, { name: "SYNC" }],
  [8, { name: "INFORM", summarise: txnHeader }],
  [
    9,
    {
      name: "COMMITANDACTIVATE",
      summarise: (head) =>
        only("leader", head.length >= 8 ? Number(head.readBigInt64BE(0)) : undefined),
    },
  ],
  // 3.5+: the quorum configuration the learner is to take.
  [
    10,
    {
      name: "NEWLEADER",
      summarise: (_head, length) => only("configBytes", length > 0 ? length : undefined),
    },
  ],
  [11, { name: "FOLLOWERINFO", summarise: learnerInfo }],
  [12, { name: "UPTODATE" }],
  [13, { name: "DIFF" }],
  [14, { name: "TRUNC" }],
  [15, { name: "SNAP" }],
  [16, { name: "OBSERVERINFO", summarise: learnerInfo }],
  [
    17,
    {
      name: "LEADERINFO",
      summarise: (head) =>
        only("protocol", head.length >= 4 ? `0x${head.readInt32BE(0).toString(16)}` : undefined),
    },
  ],
  [18, { name: "ACKEPOCH", summarise: intField("epoch") }],
  [19, { name: "INFORMANDACTIVATE", summarise: bytesOnly }],
];

/** Every Zab packet type by its number. */
export const ZAB_PACKETS: ReadonlyMap<number, PacketKind> = new Map(PACKET_KINDS);

/** Every Zab message name, for validating what a trigger or fault may match. */
export const ZAB_MESSAGE_NAMES: readonly string[] = [...ZAB_PACKETS.values()].map(
  (kind) => kind.name,
);

/** A zxid as the wire events write it: epoch:counter in hex. */
export function wireZxid(zxid: bigint): string {
  // As history/event.ts's formatZxid; written here so the proxy's image needs nothing outside network/.
  const value = BigInt.asUintN(64, zxid);
  return `0x${(value >> 32n).toString(16)}:0x${(value & 0xffffffffn).toString(16)}`;
}
