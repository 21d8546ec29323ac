import { createRequire } from "node:module";
import zookeeper from "node-zookeeper-client";

const require = createRequire(import.meta.url);
/** The library's wire protocol module (no types): used for sync and the multi fix. */
const jute = require("node-zookeeper-client/lib/jute/index.js") as {
  OP_CODES: Record<string, number>;
  Request: new (
    header: unknown,
    payload: unknown,
  ) => { header: { type: number }; toBuffer(): Buffer };
  protocol: { RequestHeader: new () => { type: number } };
};

/** ZooKeeper's reconfig request (the library's opcode table lacks it). */
const RECONFIG_OPCODE = 16;

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
const DEFINITE_FAILURES = new Set<number>([
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

const CREATE_MODES: Readonly<Record<CreateMode, number>> = {
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

/** Options of ZkSession.open. */
export interface SessionOptions {
  /** Session timeout the client asks for (the server may clamp it). */
  readonly sessionTimeoutMs?: number;
  /** Give up connecting after this long. */
  readonly connectTimeoutMs?: number;
  /** Harness-side deadline of each operation: the library queues requests with none while disconnected. */
  readonly operationTimeoutMs?: number;
  /** Called on each session state change. */
  readonly onEvent?: (event: SessionEvent, session: ZkSession) => void;
}

function bigintOf(value: unknown): bigint {
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

function toError(error: unknown): ZkOperationError {
  const code = (error as { getCode?: () => number }).getCode?.();
  const message = error instanceof Error ? error.message : String(error);
  return new ZkOperationError(typeof code === "number" ? code : ZK_ERRORS.CONNECTION_LOSS, message);
}

function toBuffer(data: Buffer | string): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/**
 * The library throws from its socket data handler when a reply does not parse
 * (e.g. an error code it does not know), which would crash the harness.
 * Treat such a reply as a broken connection instead: drop the socket, and the
 * library reconnects; the operations in flight end as connection loss (info).
 */
function guardSocketData(client: zookeeper.Client): void {
  const manager = (
    client as unknown as {
      connectionManager: { onSocketData: (buffer: Buffer) => void; socket?: { destroy(): void } };
    }
  ).connectionManager;
  const original = manager.onSocketData;
  manager.onSocketData = function guarded(this: typeof manager, buffer: Buffer): void {
    try {
      original.call(this, buffer);
    } catch {
      this.socket?.destroy();
    }
  };
}

/** The library's private connection manager: where its socket and request queue live. */
interface ConnectionManager {
  socket?: { remoteAddress?: string; remotePort?: number; destroyed?: boolean };
  queue(request: unknown, callback: (error: unknown) => void): void;
}

/**
 * A promise-based ZooKeeper session over node-zookeeper-client. Retries are
 * off (the library's retries resend writes after a connection loss), every
 * operation has a deadline, multi honours version 0, and sync is supported.
 */
export class ZkSession implements AsyncDisposable {
  private readonly client: zookeeper.Client;
  private readonly operationTimeoutMs: number;
  private closed = false;

  private constructor(client: zookeeper.Client, operationTimeoutMs: number) {
    this.client = client;
    this.operationTimeoutMs = operationTimeoutMs;
  }

  /** Connects to one of the servers in the connect string. */
  static open(connectString: string, options: SessionOptions = {}): Promise<ZkSession> {
    const client = zookeeper.createClient(connectString, {
      sessionTimeout: options.sessionTimeoutMs ?? 4000,
      spinDelay: 50,
      retries: 0,
    });
    guardSocketData(client);
    const session = new ZkSession(client, options.operationTimeoutMs ?? 5000);
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const onEvent = options.onEvent;
    if (onEvent) {
      client.on("connected", () => onEvent("connected", session));
      client.on("disconnected", () => onEvent("disconnected", session));
      client.on("expired", () => onEvent("expired", session));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        session.close();
        reject(
          new ZkOperationError(
            "TIMEOUT",
            `could not connect to ${connectString} within ${connectTimeoutMs} ms`,
          ),
        );
      }, connectTimeoutMs);
      client.once("connected", () => {
        clearTimeout(timer);
        resolve(session);
      });
      client.connect();
    });
  }

  /** The session id as a hex string. */
  get sessionId(): string {
    return this.client.getSessionId().toString("hex");
  }

  /** The host:port the session's socket is connected to now, if any. */
  get remote(): string | undefined {
    const manager = (this.client as unknown as { connectionManager: ConnectionManager })
      .connectionManager;
    const socket = manager.socket;
    if (socket === undefined || socket.destroyed) return undefined;
    // Asking a socket for its peer is a call into libuv: remember it per connected socket.
    if (this.remoteCache?.socket === socket) return this.remoteCache.address;
    if (socket.remotePort === undefined) return undefined;
    this.remoteCache = { socket, address: `${socket.remoteAddress}:${socket.remotePort}` };
    return this.remoteCache.address;
  }

  private remoteCache: { socket: object; address: string } | undefined;

  /** True while the client says it is connected. */
  get connected(): boolean {
    return this.client.getState() === zookeeper.State.SYNC_CONNECTED;
  }

  private call<T>(
    what: string,
    run: (done: (error: unknown, value?: T) => void) => void,
  ): Promise<T> {
    if (this.closed)
      return Promise.reject(
        new ZkOperationError(ZK_ERRORS.CONNECTION_LOSS, `${what}: session closed`),
      );
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new ZkOperationError(
              "TIMEOUT",
              `${what} got no answer within ${this.operationTimeoutMs} ms`,
            ),
          ),
        this.operationTimeoutMs,
      );
      run((error, value) => {
        clearTimeout(timer);
        if (error) reject(toError(error));
        else resolve(value as T);
      });
    });
  }

  /** Creates a znode; resolves to its path (with the sequence number for sequential modes). */
  create(path: string, data: Buffer | string, mode: CreateMode = "persistent"): Promise<string> {
    return this.call(`create ${path}`, (done) =>
      this.client.create(path, toBuffer(data), CREATE_MODES[mode], (error, created) =>
        done(error, created),
      ),
    );
  }

  /** Reads a znode's data and Stat. */
  getData(path: string): Promise<{ data: Buffer; stat: ZkStat }> {
    return this.call(`getData ${path}`, (done) =>
      this.client.getData(path, (error, data, stat) =>
        done(error, error ? undefined : { data: data ?? Buffer.alloc(0), stat: toStat(stat) }),
      ),
    );
  }

  /** Writes a znode's data; version -1 means any version. */
  setData(path: string, data: Buffer | string, version = -1): Promise<ZkStat> {
    return this.call(`setData ${path}`, (done) =>
      this.client.setData(path, toBuffer(data), version, (error, stat) =>
        done(error, error ? undefined : toStat(stat)),
      ),
    );
  }

  /** Deletes a znode; version -1 means any version. */
  delete(path: string, version = -1): Promise<void> {
    return this.call(`delete ${path}`, (done) =>
      this.client.remove(path, version, (error) => done(error)),
    );
  }

  /** The znode's Stat, or null when it does not exist. */
  exists(path: string): Promise<ZkStat | null> {
    return this.call(`exists ${path}`, (done) =>
      this.client.exists(path, (error, stat) => done(error, error || !stat ? null : toStat(stat))),
    );
  }

  /** A znode's children (unsorted, as the server sends them) and its Stat. */
  getChildren(path: string): Promise<{ children: string[]; stat: ZkStat }> {
    return this.call(`getChildren ${path}`, (done) =>
      this.client.getChildren(path, (error, children, stat) =>
        done(error, error ? undefined : { children, stat: toStat(stat) }),
      ),
    );
  }

  /**
   * Runs operations atomically. Works around the library's bug (open since
   * 2017) that turns an expected version of 0 into "any version".
   */
  multi(ops: readonly MultiOp[]): Promise<MultiResult[]> {
    const transaction = this.client.transaction();
    for (const op of ops) {
      if (op.op === "create")
        transaction.create(op.path, toBuffer(op.data), CREATE_MODES[op.mode ?? "persistent"]);
      else if (op.op === "set") transaction.setData(op.path, toBuffer(op.data), op.version ?? -1);
      else if (op.op === "delete") transaction.remove(op.path, op.version ?? -1);
      else transaction.check(op.path, op.version);
    }
    // The library wrote `version || -1`; put the real versions back.
    const queued = (transaction as unknown as { ops: { version?: number }[] }).ops;
    ops.forEach((op, index) => {
      const entry = queued[index];
      if (entry !== undefined && op.op !== "create") entry.version = op.version ?? -1;
    });
    return this.call("multi", (done) =>
      transaction.commit(
        (error, results: { type: number; path?: string; stat?: zookeeper.Stat }[]) => {
          if (error) return done(error);
          done(
            null,
            ops.map((op, index): MultiResult => {
              const result = results[index];
              if (op.op === "create") return { op: "create", path: result?.path ?? op.path };
              if (op.op === "set")
                return { op: "set", stat: toStat(result?.stat as zookeeper.Stat) };
              return { op: op.op };
            }),
          );
        },
      ),
    );
  }

  /**
   * Makes the connected server catch up with the leader (ZooKeeper's sync,
   * opcode 9), so that a read after it sees every write committed before it.
   * The library has no sync: the request is sent with opcode 9 but filed
   * under an opcode whose reply it knows how to skip (the reply's path is unused).
   */
  sync(path = "/"): Promise<void> {
    const manager = (this.client as unknown as { connectionManager: ConnectionManager })
      .connectionManager;
    const bytes = Buffer.from(path, "utf8");
    const payload = {
      byteLength: () => 4 + bytes.length,
      serialize: (buffer: Buffer, offset: number) => {
        buffer.writeInt32BE(bytes.length, offset);
        bytes.copy(buffer, offset + 4);
        return 4 + bytes.length;
      },
    };
    const header = new jute.protocol.RequestHeader();
    header.type = jute.OP_CODES.DELETE as number;
    const request = new jute.Request(header, payload);
    const serialize = request.toBuffer.bind(request);
    request.toBuffer = () => {
      request.header.type = jute.OP_CODES.SYNC as number;
      try {
        return serialize();
      } finally {
        request.header.type = jute.OP_CODES.DELETE as number;
      }
    };
    return this.call(`sync ${path}`, (done) => manager.queue(request, (error) => done(error)));
  }

  /**
   * Changes the ensemble's membership (ZooKeeper's reconfig, opcode 16, 3.5+):
   * `joining` as server.N=host:quorum:election:participant;host:clientPort
   * lines, `leaving` as ids. The library has no reconfig: the request is sent
   * as sync's is, and its reply (the new config) is read back from
   * /zookeeper/config by the caller.
   */
  reconfig(joining: readonly string[], leaving: readonly number[]): Promise<void> {
    const manager = (this.client as unknown as { connectionManager: ConnectionManager })
      .connectionManager;
    const strings = [
      joining.length === 0 ? undefined : joining.join(","),
      leaving.length === 0 ? undefined : leaving.join(","),
      undefined,
    ].map((text) => (text === undefined ? undefined : Buffer.from(text, "utf8")));
    const length = strings.reduce((sum, bytes) => sum + 4 + (bytes?.length ?? 0), 0) + 8;
    const payload = {
      byteLength: () => length,
      serialize: (buffer: Buffer, offset: number) => {
        let at = offset;
        for (const bytes of strings) {
          buffer.writeInt32BE(bytes === undefined ? -1 : bytes.length, at);
          at += 4;
          if (bytes !== undefined) at += bytes.copy(buffer, at);
        }
        // curConfigId -1: whatever the configuration is now.
        buffer.writeBigInt64BE(-1n, at);
        return length;
      },
    };
    const header = new jute.protocol.RequestHeader();
    header.type = jute.OP_CODES.DELETE as number;
    const request = new jute.Request(header, payload);
    const serialize = request.toBuffer.bind(request);
    request.toBuffer = () => {
      request.header.type = RECONFIG_OPCODE;
      try {
        return serialize();
      } finally {
        request.header.type = jute.OP_CODES.DELETE as number;
      }
    };
    return this.call(`reconfig +${joining.length} -${leaving.join(",")}`, (done) =>
      manager.queue(request, (error) => done(error)),
    );
  }

  /** Closes the session (its ephemeral znodes go at once). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
