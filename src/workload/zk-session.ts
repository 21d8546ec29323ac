import zookeeper from "node-zookeeper-client";

/** A ZooKeeper error with its numeric code (e.g. -101 NO_NODE, -4 CONNECTION_LOSS). */
export class ZkOperationError extends Error {
  readonly code: number | "TIMEOUT";

  constructor(code: number | "TIMEOUT", message: string) {
    super(message);
    this.name = "ZkOperationError";
    this.code = code;
  }
}

/** Options of openSession. */
export interface SessionOptions {
  /** Session timeout the client asks for (the server may clamp it). */
  readonly sessionTimeoutMs?: number;
  /** Give up connecting after this long. */
  readonly connectTimeoutMs?: number;
  /** Harness-side time limit of each operation: the library itself has none. */
  readonly operationTimeoutMs?: number;
}

/** The Stat fields the harness uses, zxids as bigint. */
export interface ZkStat {
  readonly czxid: bigint;
  readonly mzxid: bigint;
  readonly version: number;
}

function toStat(stat: zookeeper.Stat): ZkStat {
  const read = (value: unknown) => (Buffer.isBuffer(value) ? value.readBigInt64BE(0) : BigInt(0));
  return { czxid: read(stat.czxid), mzxid: read(stat.mzxid), version: stat.version };
}

function toError(error: unknown): ZkOperationError {
  const code = (error as { getCode?: () => number }).getCode?.();
  const message = error instanceof Error ? error.message : String(error);
  return new ZkOperationError(typeof code === "number" ? code : -1, message);
}

/**
 * A promise-based ZooKeeper session. Retries are off (the library's retries
 * resend writes after a connection loss) and every operation has a deadline.
 */
export class ZkSession implements AsyncDisposable {
  private readonly client: zookeeper.Client;
  private readonly operationTimeoutMs: number;

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
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        client.close();
        reject(
          new ZkOperationError(
            "TIMEOUT",
            `could not connect to ${connectString} within ${connectTimeoutMs} ms`,
          ),
        );
      }, connectTimeoutMs);
      client.once("connected", () => {
        clearTimeout(timer);
        resolve(new ZkSession(client, options.operationTimeoutMs ?? 5000));
      });
      client.connect();
    });
  }

  /** The session id as a hex string. */
  get sessionId(): string {
    return this.client.getSessionId().toString("hex");
  }

  private call<T>(
    what: string,
    run: (done: (error: unknown, value?: T) => void) => void,
  ): Promise<T> {
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

  /** Creates a persistent znode; resolves to its path. */
  create(path: string, data: Buffer | string): Promise<string> {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data);
    return this.call(`create ${path}`, (done) =>
      this.client.create(path, buffer, zookeeper.CreateMode.PERSISTENT, (error, created) =>
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
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data);
    return this.call(`setData ${path}`, (done) =>
      this.client.setData(path, buffer, version, (error, stat) =>
        done(error, error ? undefined : toStat(stat)),
      ),
    );
  }

  /** The znode's Stat, or null when it does not exist. */
  exists(path: string): Promise<ZkStat | null> {
    return this.call(`exists ${path}`, (done) =>
      this.client.exists(path, (error, stat) => done(error, error || !stat ? null : toStat(stat))),
    );
  }

  /** Closes the session (its ephemeral znodes go at once). */
  close(): void {
    this.client.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }
}
