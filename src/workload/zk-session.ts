import { createRequire } from "node:module";
import zookeeper from "node-zookeeper-client";
import {
  MULTI_OPCODE,
  MULTI_READ_OPCODE,
  multiReadBody,
  multiReadResults,
  teachMultiReadReplies,
} from "./multi-read.js";
import {
  ADD_WATCH_OPCODE,
  bigintOf,
  CREATE_MODES,
  type CreateMode,
  type MultiOp,
  type MultiResult,
  type PersistentWatchMode,
  type SessionEvent,
  toBuffer,
  toError,
  toStat,
  WATCH_EVENT_TYPES,
  type WatchedChildren,
  type WatchedData,
  type WatchNotification,
  ZK_ERRORS,
  ZkOperationError,
  type ZkStat,
} from "./zk-types.js";

/** The adapter's types, codes and conversions, from this module as before. */
export * from "./zk-types.js";

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

/** A part of a raw request's body: an int, a long, a jute string (absent: null), or bytes as they are. */
type RawPart = Buffer | number | bigint | undefined | { readonly raw: Buffer };

/** The bytes a raw part takes on the wire. */
function rawLength(part: RawPart): number {
  if (typeof part === "bigint") return 8;
  if (typeof part === "number") return 4;
  if (part !== undefined && !Buffer.isBuffer(part)) return part.raw.length;
  return 4 + (part?.length ?? 0);
}

/** ZooKeeper's reconfig request (the library's opcode table lacks it). */
const RECONFIG_OPCODE = 16;

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
  /**
   * Called for every watch notification, inside the socket's data handler:
   * in wire order with the replies that `onReply` hooks see.
   */
  readonly onNotification?: (notification: WatchNotification, session: ZkSession) => void;
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
  /** The last reply's zxid (8 bytes), set before the reply's callback runs. */
  zxid?: Buffer;
  watcherManager: { emit(event: { type: number; path: string }): void };
  packetQueue: { queue: { request: { header?: { type?: number } | null } }[] };
  onSocketConnected(): void;
  queue(request: unknown, callback: (error: unknown, reply?: unknown) => void): void;
}

/** ZooKeeper's SetWatches opcode: the library re-sends watches with it after a reconnect. */
const SET_WATCHES_OPCODE = 101;

/**
 * Fixes two faults of the library's reconnect (both break ZooKeeper's watch
 * guarantees, and the watch checker caught them): it queues SetWatches
 * behind requests queued while disconnected, so a read could see new data
 * before the event the SetWatches fires; and it queues one per connect
 * attempt, keeping those of failed attempts, so a watch fired once per
 * attempt. Here, as in ZooKeeper's Java client, the one SetWatches of this
 * connection goes first.
 */
function fixReconnectWatches(manager: ConnectionManager): void {
  const original = manager.onSocketConnected;
  manager.onSocketConnected = function connected(this: ConnectionManager): void {
    const queue = this.packetQueue.queue;
    const stale = (packet: (typeof queue)[number]) =>
      packet.request.header?.type === SET_WATCHES_OPCODE;
    this.packetQueue.queue = queue.filter((packet) => !stale(packet));
    const before = this.packetQueue.queue.length;
    original.call(this);
    const added = this.packetQueue.queue.splice(before);
    this.packetQueue.queue.unshift(...added);
  };
}

/**
 * Reports every notification to `listener` before the library hands it to its
 * own one-time watchers. The library throws on event types it does not know
 * (persistent watches' removal events): those are reported and then dropped.
 */
function tapNotifications(
  manager: ConnectionManager,
  listener: (notification: WatchNotification) => void,
): void {
  const watchers = manager.watcherManager;
  const original = watchers.emit.bind(watchers);
  watchers.emit = (event) => {
    const type = WATCH_EVENT_TYPES[event.type];
    if (type !== undefined) listener({ type, path: event.path });
    try {
      original(event);
    } catch {
      // An event type the library does not know: nothing of its own was waiting for it.
    }
  };
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
    fixReconnectWatches(session.manager);
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const onEvent = options.onEvent;
    const onNotification = options.onNotification;
    if (onNotification)
      tapNotifications(session.manager, (notification) => onNotification(notification, session));
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
    const socket = this.manager.socket;
    if (socket === undefined || socket.destroyed) return undefined;
    // Asking a socket for its peer is a call into libuv: remember it per connected socket.
    if (this.remoteCache?.socket === socket) return this.remoteCache.address;
    if (socket.remotePort === undefined) return undefined;
    this.remoteCache = { socket, address: `${socket.remoteAddress}:${socket.remotePort}` };
    return this.remoteCache.address;
  }

  private remoteCache: { socket: object; address: string } | undefined;

  /** The library's private connection manager. */
  private get manager(): ConnectionManager {
    return (this.client as unknown as { connectionManager: ConnectionManager }).connectionManager;
  }

  /** The zxid of the last reply this session got: a write's own zxid, or the server's state at a read. */
  lastReplyZxid: bigint | undefined;

  /** True while the client says it is connected. */
  get connected(): boolean {
    return this.client.getState() === zookeeper.State.SYNC_CONNECTED;
  }

  private call<T>(
    what: string,
    run: (done: (error: unknown, value?: T) => void) => void,
    onReply?: (value: T, zxid: bigint) => void,
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
        if (error) return reject(toError(error));
        // The library sets its zxid from the reply header before it calls back.
        const zxid = bigintOf(this.manager.zxid);
        this.lastReplyZxid = zxid;
        onReply?.(value as T, zxid);
        resolve(value as T);
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

  /** A no-op watcher: the library tracks watched paths by it (and sets them again after a reconnect). */
  private readonly watcher = (): void => {};

  /**
   * Reads a znode's data and leaves a data watch (unless `watch` is false).
   * `onReply` runs inside the reply's callback, so it is ordered exactly with
   * `onNotification`.
   */
  watchData(
    path: string,
    onReply?: (value: WatchedData) => void,
    watch = true,
  ): Promise<WatchedData> {
    const callback = (error: unknown, data: Buffer | undefined, stat: zookeeper.Stat) =>
      done(
        error,
        error
          ? undefined
          : {
              data: data ?? Buffer.alloc(0),
              stat: toStat(stat),
              zxid: bigintOf(this.manager.zxid),
            },
      );
    let done: (error: unknown, value?: WatchedData) => void = () => {};
    return this.call<WatchedData>(
      `getData ${path}`,
      (settle) => {
        done = settle;
        if (watch) this.client.getData(path, this.watcher, callback);
        else this.client.getData(path, callback);
      },
      onReply && ((value) => onReply(value)),
    );
  }

  /** Reads a znode's children and leaves a child watch (unless `watch` is false); `onReply` as in watchData. */
  watchChildren(
    path: string,
    onReply?: (value: WatchedChildren) => void,
    watch = true,
  ): Promise<WatchedChildren> {
    let done: (error: unknown, value?: WatchedChildren) => void = () => {};
    const callback = (error: unknown, children: string[], stat: zookeeper.Stat) =>
      done(
        error,
        error ? undefined : { children, stat: toStat(stat), zxid: bigintOf(this.manager.zxid) },
      );
    return this.call<WatchedChildren>(
      `getChildren ${path}`,
      (settle) => {
        done = settle;
        if (watch) this.client.getChildren(path, this.watcher, callback);
        else this.client.getChildren(path, callback);
      },
      onReply && ((value) => onReply(value)),
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
   * Sends a request the library has no call for: queued as a delete (whose
   * reply has no body, as most of these requests' replies have none we need)
   * or as `replyAs` (whose reply reader the library then applies), and
   * written with its real opcode. Resolves to the library's reply.
   */
  private rawRequest(
    what: string,
    opcode: number,
    body: readonly RawPart[],
    onReply?: (zxid: bigint) => void,
    replyAs: number = jute.OP_CODES.DELETE as number,
  ): Promise<unknown> {
    const length = body.reduce<number>((sum, part) => sum + rawLength(part), 0);
    const payload = {
      byteLength: () => length,
      serialize: (buffer: Buffer, offset: number) => {
        let at = offset;
        for (const part of body) {
          if (typeof part === "bigint") at = buffer.writeBigInt64BE(part, at);
          else if (typeof part === "number") at = buffer.writeInt32BE(part, at);
          else if (part !== undefined && !Buffer.isBuffer(part)) at += part.raw.copy(buffer, at);
          else {
            // A jute string: its length (-1 for null), then its bytes.
            at = buffer.writeInt32BE(part === undefined ? -1 : part.length, at);
            if (part !== undefined) at += part.copy(buffer, at);
          }
        }
        return length;
      },
    };
    const header = new jute.protocol.RequestHeader();
    header.type = replyAs;
    const request = new jute.Request(header, payload);
    const serialize = request.toBuffer.bind(request);
    request.toBuffer = () => {
      request.header.type = opcode;
      try {
        return serialize();
      } finally {
        request.header.type = replyAs;
      }
    };
    return this.call<unknown>(
      what,
      (done) => this.manager.queue(request, (error, reply) => done(error, reply)),
      onReply && ((_, zxid) => onReply(zxid)),
    );
  }

  /**
   * Reads several znodes atomically (ZooKeeper's multiRead, opcode 22, 3.6+):
   * one server state answers them all. An absent znode's result is its error
   * code (NoNode), the others still answer.
   */
  async multiRead(
    paths: readonly string[],
  ): Promise<({ data: Buffer; stat: ZkStat } | { error: number })[]> {
    teachMultiReadReplies();
    const reply = await this.rawRequest(
      `multiRead ${paths.join(",")}`,
      MULTI_READ_OPCODE,
      [{ raw: multiReadBody(paths) }],
      undefined,
      MULTI_OPCODE,
    );
    return multiReadResults(reply).map((result) =>
      "error" in result
        ? result
        : { data: result.data, stat: toStat(result.stat as zookeeper.Stat) },
    );
  }

  /**
   * Makes the connected server catch up with the leader (ZooKeeper's sync,
   * opcode 9), so that a read after it sees every write committed before it.
   * The library has no sync: its reply's path is unused.
   */
  async sync(path = "/"): Promise<void> {
    await this.rawRequest(`sync ${path}`, jute.OP_CODES.SYNC as number, [
      Buffer.from(path, "utf8"),
    ]);
  }

  /**
   * Changes the ensemble's membership (ZooKeeper's reconfig, opcode 16, 3.5+):
   * `joining` as server.N=host:quorum:election:participant;host:clientPort
   * lines, `leaving` as ids. Its reply (the new config) is read back from
   * /zookeeper/config by the caller.
   */
  async reconfig(joining: readonly string[], leaving: readonly number[]): Promise<void> {
    const text = (parts: readonly (string | number)[]) =>
      parts.length === 0 ? undefined : Buffer.from(parts.join(","), "utf8");
    // curConfigId -1: whatever the configuration is now.
    await this.rawRequest(`reconfig +${joining.length} -${leaving.join(",")}`, RECONFIG_OPCODE, [
      text(joining),
      text(leaving),
      undefined,
      -1n,
    ]);
  }

  /**
   * Sets a persistent watch (ZooKeeper's addWatch, opcode 106, 3.6+): it
   * stays after it fires and, recursive, covers every znode below `path`.
   * The library knows nothing of it: after a reconnect the caller sets it again.
   * `onReply` runs inside the reply's callback, in wire order with notifications.
   */
  async addWatch(
    path: string,
    mode: PersistentWatchMode,
    onReply?: (zxid: bigint) => void,
  ): Promise<void> {
    await this.rawRequest(
      `addWatch ${path}`,
      ADD_WATCH_OPCODE,
      [Buffer.from(path, "utf8"), mode === "persistent" ? 0 : 1],
      onReply,
    );
  }

  /** Closes the session (its ephemeral znodes go at once). Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  /**
   * Closes the session and waits (at most `timeoutMs`) until the server
   * answered: its ephemeral znodes are gone from then on.
   */
  async closeAndWait(timeoutMs = 5000): Promise<void> {
    if (this.closed) return;
    const state = this.client.getState();
    const connected =
      state === zookeeper.State.SYNC_CONNECTED || state === zookeeper.State.CONNECTED_READ_ONLY;
    const answered = connected
      ? new Promise<void>((resolve) => {
          const timer = setTimeout(done, timeoutMs);
          const client = this.client;
          function done(): void {
            clearTimeout(timer);
            client.off("disconnected", done);
            resolve();
          }
          client.once("disconnected", done);
        })
      : Promise.resolve();
    this.close();
    await answered;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
