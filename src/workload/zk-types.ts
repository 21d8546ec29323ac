/** The types, error codes and conversions of the ZooKeeper client adapter (zk-session.ts). */
import zookeeper from "node-zookeeper-client";

/** ZooKeeper error codes the harness tells apart. */
export const ZK_ERRORS = {
  CONNECTION_LOSS: -4,
  OPERATION_TIMEOUT: -7,
  BAD_ARGUMENTS: -8,
  NO_NODE: -101,
  NO_AUTH: -102,
  BAD_VERSION: -103,
  NO_CHILDREN_FOR_EPHEMERALS: -108,
  NODE_EXISTS: -110,
  NOT_EMPTY: -111,
  SESSION_EXPIRED: -112,
} as const;

/** Errors that prove an operation did not take effect. */
export const DEFINITE_FAILURES = new Set<number>([
  ZK_ERRORS.BAD_ARGUMENTS,
  ZK_ERRORS.NO_NODE,
  ZK_ERRORS.NO_AUTH,
  ZK_ERRORS.BAD_VERSION,
  ZK_ERRORS.NO_CHILDREN_FOR_EPHEMERALS,
  ZK_ERRORS.NODE_EXISTS,
  ZK_ERRORS.NOT_EMPTY,
]);

/** A ZooKeeper error with its numeric code, or TIMEOUT for the harness's own deadline. */
export class ZkOperationError extends Error {
  readonly code: number | "TIMEOUT";

  constructor(code: number | "TIMEOUT", message: string) {
    super(message);
    this.name = "ZkOperationError";
    this.code = code;
  }

  /** True when the operation certainly did not take effect (else its outcome is unknown). */
  get definite(): boolean {
    return typeof this.code === "number" && DEFINITE_FAILURES.has(this.code);
  }
}

/** How a znode is created. */
export type CreateMode =
  | "persistent"
  | "ephemeral"
  | "persistent-sequential"
  | "ephemeral-sequential";

export const CREATE_MODES: Readonly<Record<CreateMode, number>> = {
  persistent: zookeeper.CreateMode.PERSISTENT,
  ephemeral: zookeeper.CreateMode.EPHEMERAL,
  "persistent-sequential": zookeeper.CreateMode.PERSISTENT_SEQUENTIAL,
  "ephemeral-sequential": zookeeper.CreateMode.EPHEMERAL_SEQUENTIAL,
};

/** The Stat fields the harness uses; zxids as bigint. */
export interface ZkStat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly pzxid: bigint;
  readonly version: number;
  readonly cversion: number;
  readonly ephemeralOwner: bigint;
  readonly numChildren: number;
}

/** One operation of an atomic multi. Versions are honoured exactly, 0 included. */
export type MultiOp =
  | {
      readonly op: "create";
      readonly path: string;
      readonly data: Buffer | string;
      readonly mode?: CreateMode;
    }
  | {
      readonly op: "set";
      readonly path: string;
      readonly data: Buffer | string;
      readonly version?: number;
    }
  | { readonly op: "delete"; readonly path: string; readonly version?: number }
  | { readonly op: "check"; readonly path: string; readonly version: number };

/** Result of one operation of a committed multi. */
export type MultiResult =
  | { readonly op: "create"; readonly path: string }
  | { readonly op: "set"; readonly stat: ZkStat }
  | { readonly op: "delete" }
  | { readonly op: "check" };

/** Session state changes the harness records. */
export type SessionEvent = "connected" | "disconnected" | "expired";

/** Watch event types by their wire code (ZooKeeper's Watcher.Event.EventType). */
export const WATCH_EVENT_TYPES: Readonly<Record<number, WatchEventType>> = {
  1: "NodeCreated",
  2: "NodeDeleted",
  3: "NodeDataChanged",
  4: "NodeChildrenChanged",
};

/** A watch event's type as ZooKeeper names it. */
export type WatchEventType =
  | "NodeCreated"
  | "NodeDeleted"
  | "NodeDataChanged"
  | "NodeChildrenChanged";

/** One watch notification as it came off the wire. */
export interface WatchNotification {
  readonly type: WatchEventType;
  readonly path: string;
}

/** How a persistent watch (addWatch, 3.6+) covers its path. */
export type PersistentWatchMode = "persistent" | "persistent-recursive";

/** ZooKeeper's addWatch request (opcode 106, 3.6+); the library lacks it. */
export const ADD_WATCH_OPCODE = 106;

/** A read's answer with the reply's zxid (the server's state when it answered, and set its watch). */
export interface WatchedData {
  readonly data: Buffer;
  readonly stat: ZkStat;
  readonly zxid: bigint;
}

/** A children read's answer with the reply's zxid. */
export interface WatchedChildren {
  readonly children: string[];
  readonly stat: ZkStat;
  readonly zxid: bigint;
}

export function bigintOf(value: unknown): bigint {
  return Buffer.isBuffer(value) ? value.readBigInt64BE(0) : 0n;
}

/** Converts the library's Stat (zxids are 8-byte buffers) to ours. */
export function toStat(stat: zookeeper.Stat): ZkStat {
  return {
    czxid: bigintOf(stat.czxid),
    mzxid: bigintOf(stat.mzxid),
    pzxid: bigintOf(stat.pzxid),
    version: stat.version,
    cversion: stat.cversion,
    ephemeralOwner: bigintOf(stat.ephemeralOwner),
    numChildren: stat.numChildren,
  };
}

export function toError(error: unknown): ZkOperationError {
  const code = (error as { getCode?: () => number }).getCode?.();
  const message = error instanceof Error ? error.message : String(error);
  return new ZkOperationError(typeof code === "number" ? code : ZK_ERRORS.CONNECTION_LOSS, message);
}

export function toBuffer(data: Buffer | string): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}
