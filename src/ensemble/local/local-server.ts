import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import { ZkChaosError } from "../../errors.js";
import { querySrvr, type ServerStatus } from "../../zookeeper/srvr.js";
import type { EnsembleServer, ProcessState, ServerAddress } from "../ensemble.js";

/** How to launch one server JVM; built by the local ensemble. */
export interface LocalServerLaunch {
  readonly id: number;
  readonly java: string;
  /** Every JVM argument, the main class and the zoo.cfg path included. */
  readonly args: readonly string[];
  readonly clientAddress: ServerAddress;
  /** The JVM's stdout and stderr go here (early failures such as a bad flag). */
  readonly outFile: string;
  /** ZooKeeper's own log file. */
  readonly logFile: string;
  /** Grace period for a graceful stop before SIGKILL. */
  readonly stopTimeoutMs: number;
  /** Called with the pid after each spawn and with undefined after each exit. */
  readonly onPid?: (pid: number | undefined) => void;
  /** Environment added to the harness's for the JVM (e.g. libfaketime's preload). */
  readonly env?: Readonly<Record<string, string>>;
}

/** A server an ensemble can start and control: a local JVM or a container. */
export interface ManagedServer extends EnsembleServer {
  /** Starts the server process (not yet serving when it resolves). */
  start(): Promise<void>;
  /** Synchronous last resort on process exit. */
  killNow(): void;
  /** The ensemble is going away: no start after this (a late restart would outlive it). */
  retire(): void;
  readonly logFile: string;
  readonly outFile: string;
  readonly exitDescription: string | undefined;
  readonly pid: number | undefined;
  /** Runs the next start with another launch (a version change: new jars, same data); absent where a launch is fixed. */
  relaunch?(launch: LocalServerLaunch): void;
}

/** Everything a launcher needs to make one server. */
export interface ServerLaunchSpec extends LocalServerLaunch {
  readonly serverDir: string;
  readonly confFile: string;
  readonly runId: string;
  readonly owner: string;
  /** JVM flags and system properties (the java, classpath and main class aside). */
  readonly jvmOptions: readonly string[];
}

/** Makes the servers of an ensemble: local JVMs by default, containers with the docker provider. */
export type ServerLauncher = (spec: ServerLaunchSpec) => ManagedServer;

/** The error a start after disposal gets. */
export function retiredError(id: number): ZkChaosError {
  return new ZkChaosError(
    "SERVER_STATE",
    `ZooKeeper server ${id} belongs to an ensemble that was disposed: it does not start again`,
  );
}

/** The last lines of a file, for error messages. */
export function tailOf(file: string, lines = 15): string {
  if (!existsSync(file)) return "";
  const text = readFileSync(file, "utf8").trimEnd();
  return text.split("\n").slice(-lines).join("\n");
}

/** Whether the kernel reports the process stopped (state T), or undefined without /proc. */
function kernelStopped(pid: number): boolean | undefined {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
    return state === "T" || state === "t";
  } catch {
    return undefined;
  }
}

/** Waits (at most 2 s) until a signalled process is stopped, or running again. */
async function waitForStopState(pid: number | undefined, stopped: boolean): Promise<void> {
  if (pid === undefined) return;
  const deadline = performance.now() + 2000;
  for (;;) {
    const now = kernelStopped(pid);
    if (now === undefined || now === stopped || performance.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** One ZooKeeper server running as a child JVM of this process. */
export class LocalServer implements ManagedServer {
  readonly id: number;
  readonly clientAddress: ServerAddress;
  readonly logFile: string;
  readonly outFile: string;
  private launch: LocalServerLaunch;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private state: ProcessState = "stopped";
  private retired = false;
  private lastExit: string | undefined;

  constructor(launch: LocalServerLaunch) {
    this.launch = launch;
    this.id = launch.id;
    this.clientAddress = launch.clientAddress;
    this.logFile = launch.logFile;
    this.outFile = launch.outFile;
  }

  get processState(): ProcessState {
    return this.retired ? "retired" : this.state;
  }

  retire(): void {
    this.retired = true;
  }

  relaunch(launch: LocalServerLaunch): void {
    if (launch.id !== this.id)
      throw new Error(`relaunch of server ${this.id} with server ${launch.id}'s launch`);
    this.launch = { ...launch, ...(this.launch.onPid ? { onPid: this.launch.onPid } : {}) };
  }

  /** The JVM's pid while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** How the last run of the process ended, e.g. "exit code 1" or "signal SIGKILL". */
  get exitDescription(): string | undefined {
    return this.lastExit;
  }

  /** Spawns the JVM; resolves once it is spawned (not yet serving). */
  async start(): Promise<void> {
    if (this.retired) throw retiredError(this.id);
    if (this.child !== undefined) return;
    const out = openSync(this.launch.outFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(this.launch.java, [...this.launch.args], {
        stdio: ["ignore", out, out],
        ...(this.launch.env ? { env: { ...process.env, ...this.launch.env } } : {}),
        // Its own process group: a terminal's Ctrl-C reaches only the harness,
        // which then tears servers down in order instead of racing them.
        detached: true,
      });
    } finally {
      closeSync(out);
    }
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) =>
        reject(
          new ZkChaosError(
            "SERVER_START_FAILED",
            `could not start ZooKeeper server ${this.id} with ${this.launch.java}: ${error.message}`,
            { cause: error },
          ),
        ),
      );
    });
    this.child = child;
    this.state = "running";
    this.lastExit = undefined;
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        this.lastExit = signal !== null ? `signal ${signal}` : `exit code ${code}`;
        if (this.child === child) {
          this.child = undefined;
          this.state = "stopped";
          this.launch.onPid?.(undefined);
        }
        resolve();
      });
    });
    if (child.pid !== undefined) this.launch.onPid?.(child.pid);
  }

  status(): Promise<ServerStatus> {
    return querySrvr(this.clientAddress.host, this.clientAddress.port);
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    child.kill("SIGKILL");
    await this.exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    // A stopped process cannot handle SIGTERM: thaw it first.
    if (this.state === "paused") child.kill("SIGCONT");
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), this.launch.stopTimeoutMs);
    await this.exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async pause(): Promise<void> {
    this.requireRunning("pause");
    this.child?.kill("SIGSTOP");
    this.state = "paused";
    // A JVM's threads stop one by one: the fault is in force only once the kernel says stopped.
    await waitForStopState(this.child?.pid, true);
  }

  async resume(): Promise<void> {
    if (this.state !== "paused") return;
    this.child?.kill("SIGCONT");
    this.state = "running";
    await waitForStopState(this.child?.pid, false);
  }

  /** Synchronous last resort on process exit: SIGKILL without waiting. */
  killNow(): void {
    this.child?.kill("SIGKILL");
  }

  private requireRunning(action: string): void {
    if (this.state === "stopped") {
      throw new ZkChaosError(
        "SERVER_STATE",
        `cannot ${action} ZooKeeper server ${this.id}: it is not running (restart it first)`,
      );
    }
  }
}
