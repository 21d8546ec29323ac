import { join } from "node:path";
import { ZkChaosError } from "../../errors.js";
import type { RemoteStream, SshHost } from "../../remote/ssh-host.js";
import { shellCommand, shellQuote } from "../../util/shell-quote.js";
import { querySrvr, type ServerStatus } from "../../zookeeper/srvr.js";
import type { EnsembleServer, ProcessState, ServerAddress } from "../ensemble.js";
import type { ServerLaunchSpec } from "../local/local-server.js";

/** One server's JVM on its host, held by its pid. */
export class SshServer implements EnsembleServer {
  private state: ProcessState = "stopped";
  private pid: number | undefined;
  private ended: string | undefined;
  private watcher: RemoteStream | undefined;
  /** While we stop or kill it: its end is ours, not its own. */
  private stopping = false;

  constructor(
    readonly id: number,
    readonly host: SshHost,
    /** How it starts; a version change gives it another release's jars and config. */
    public launch: ServerLaunchSpec,
    readonly clientAddress: ServerAddress,
  ) {}

  get processState(): ProcessState {
    return this.state;
  }

  get exitDescription(): string | undefined {
    return this.ended;
  }

  /** The remote pid of the JVM, while it runs. */
  get remotePid(): number | undefined {
    return this.pid;
  }

  status(): Promise<ServerStatus> {
    return querySrvr(this.clientAddress.host, this.clientAddress.port);
  }

  /** Starts the JVM detached from the SSH session; its pid is kept on the host too (for reaping). */
  async start(): Promise<void> {
    if (this.state === "retired")
      throw new ZkChaosError("SERVER_STATE", `server ${this.id} belongs to a disposed ensemble`);
    const { serverDir, outFile } = this.launch;
    const pidFile = join(serverDir, "pid");
    const output = await this.host.run(
      // Only the JVM goes to the background, every stream redirected: the SSH channel then closes at once.
      `cd ${shellQuote(serverDir)} || exit 1; nohup ${shellCommand([this.launch.java, ...this.launch.args])} > ${shellQuote(outFile)} 2>&1 < /dev/null & echo $! > ${shellQuote(pidFile)}; cat ${shellQuote(pidFile)}`,
      `starting ZooKeeper server ${this.id}`,
    );
    const pid = Number(output.trim());
    if (!Number.isInteger(pid) || pid <= 0)
      throw new ZkChaosError(
        "SERVER_START_FAILED",
        `${this.host.name}: server ${this.id} did not start (no pid: '${output.trim()}')`,
      );
    this.pid = pid;
    this.state = "running";
    this.ended = undefined;
    this.watchExit(pid);
  }

  /**
   * Notices a JVM that ends by itself (a server refusing its data exits), as
   * a local process's exit is noticed: a loop on its host that ends with it.
   */
  private watchExit(pid: number): void {
    void this.watcher?.stop();
    void this.host
      .stream(
        `exec sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 0.2; done' sh ${shellQuote(pid)}`,
        () => {},
      )
      .then(async (watcher) => {
        this.watcher = watcher;
        await watcher.closed;
        // Ours (kill, stop, retire) or a newer start's: already accounted for.
        if (this.pid !== pid || this.stopping) return;
        this.exited("exited by itself");
      })
      .catch(() => {
        // The connection is gone: the ensemble is being disposed.
      });
  }

  private async signal(signal: string): Promise<void> {
    if (this.pid === undefined) return;
    await this.host.exec(`kill -${signal} ${shellQuote(this.pid)} 2>/dev/null`);
  }

  /** Waits until the JVM is gone (at most `timeoutMs`); true when it is. */
  private async gone(timeoutMs: number): Promise<boolean> {
    if (this.pid === undefined) return true;
    const tries = Math.ceil(timeoutMs / 50);
    const result = await this.host.exec(
      `for i in $(seq 1 ${shellQuote(tries)}); do kill -0 ${shellQuote(this.pid)} 2>/dev/null || exit 0; sleep 0.05; done; exit 1`,
      undefined,
      timeoutMs + 10_000,
    );
    return result.code === 0;
  }

  private exited(how: string): void {
    this.pid = undefined;
    this.state = "stopped";
    this.ended = how;
  }

  async kill(): Promise<void> {
    await this.ending(async () => {
      if (this.state === "paused") await this.signal("CONT");
      await this.signal("KILL");
      await this.gone(10_000);
    });
    this.exited("signal SIGKILL");
  }

  async stop(): Promise<void> {
    await this.ending(async () => {
      if (this.state === "paused") await this.signal("CONT");
      await this.signal("TERM");
      if (!(await this.gone(this.launch.stopTimeoutMs))) {
        await this.signal("KILL");
        await this.gone(10_000);
      }
    });
    this.exited("signal SIGTERM");
  }

  /** Runs our own ending of the JVM, so that its watcher does not take it for the JVM's own. */
  private async ending(end: () => Promise<void>): Promise<void> {
    this.stopping = true;
    try {
      await end();
    } finally {
      this.stopping = false;
    }
  }

  async restart(): Promise<void> {
    if (this.state === "running" || this.state === "paused") await this.stop();
    await this.start();
  }

  async pause(): Promise<void> {
    await this.signal("STOP");
    if (this.state === "running") this.state = "paused";
  }

  async resume(): Promise<void> {
    await this.signal("CONT");
    if (this.state === "paused") this.state = "running";
  }

  /** Kills the JVM for good: the ensemble is going away (a start that never answered left its pid on the host). */
  async retire(): Promise<void> {
    if (this.pid === undefined) {
      const pid = await this.host.exec(`cat ${shellQuote(join(this.launch.serverDir, "pid"))}`);
      const value = Number(pid.stdout.trim());
      if (pid.code === 0 && Number.isInteger(value) && value > 0) this.pid = value;
    }
    if (this.pid !== undefined) await this.kill();
    await this.watcher?.stop();
    this.state = "retired";
  }
}
