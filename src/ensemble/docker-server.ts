import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import {
  GenericContainer,
  getContainerRuntimeClient,
  type StartedTestContainer,
  Wait,
} from "testcontainers";
import { ZkChaosError } from "../errors.js";
import type { ProcessState, ServerAddress } from "./ensemble.js";
import type { ManagedServer, ServerLaunchSpec } from "./local-server.js";
import { querySrvr, type ServerStatus } from "./srvr.js";

/** Labels on every container we start: the reaper finds orphans by them. */
export const RUN_LABEL = "zk-chaos.run";
export const OWNER_LABEL = "zk-chaos.owner";

/** testcontainers settings for this machine kind: the reaper's image cannot be pulled, and host networking means 127.0.0.1. */
export function configureTestcontainers(): void {
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
}

/** Removes every container (running or exited) carrying all these labels; returns their short ids. */
export async function removeContainers(
  labels: Readonly<Record<string, string>>,
  keep?: (labels: Record<string, string>) => boolean,
): Promise<string[]> {
  configureTestcontainers();
  const client = await getContainerRuntimeClient();
  const filters = {
    label: Object.entries(labels).map(([key, value]) => (value === "" ? key : `${key}=${value}`)),
  };
  const removed: string[] = [];
  for (const info of await client.container.dockerode.listContainers({ all: true, filters })) {
    if (keep?.(info.Labels ?? {})) continue;
    await client.container.dockerode
      .getContainer(info.Id)
      .remove({ force: true, v: true })
      .catch(() => undefined);
    removed.push(info.Id.slice(0, 12));
  }
  return removed;
}

/**
 * One ZooKeeper server in a container (testcontainers), on the host network
 * so the proxies and clients reach it on loopback. Its folder is mounted at
 * the same path, so the generated zoo.cfg works unchanged and the data
 * survives a kill: a restart is a new container on the same data.
 */
export class DockerServer implements ManagedServer {
  readonly id: number;
  readonly clientAddress: ServerAddress;
  readonly logFile: string;
  readonly outFile: string;
  private container: StartedTestContainer | undefined;
  private state: ProcessState = "stopped";
  private lastExit: string | undefined;

  constructor(
    private readonly spec: ServerLaunchSpec,
    private readonly image: string,
  ) {
    this.id = spec.id;
    this.clientAddress = spec.clientAddress;
    this.logFile = spec.logFile;
    this.outFile = spec.outFile;
  }

  get processState(): ProcessState {
    return this.state;
  }

  get pid(): number | undefined {
    return undefined;
  }

  get exitDescription(): string | undefined {
    return this.lastExit;
  }

  /** The container's id while it runs. */
  get containerId(): string | undefined {
    return this.container?.getId();
  }

  async start(): Promise<void> {
    if (this.container !== undefined) return;
    configureTestcontainers();
    try {
      this.container = await new GenericContainer(this.image)
        .withNetworkMode("host")
        .withBindMounts([{ source: this.spec.serverDir, target: this.spec.serverDir, mode: "rw" }])
        .withCommand([this.spec.confFile])
        .withEnvironment({
          JAVA_TOOL_OPTIONS: this.spec.jvmOptions
            .filter((flag) => !flag.startsWith("-Dlog4j.configuration"))
            .join(" "),
        })
        .withLabels({
          [RUN_LABEL]: this.spec.runId,
          [OWNER_LABEL]: this.spec.owner,
          "zk-chaos.server": String(this.id),
        })
        .withWaitStrategy(Wait.forLogMessage(/Reading configuration from/))
        .withStartupTimeout(60_000)
        .withLogConsumer((stream) =>
          stream.on("data", (line: Buffer | string) => {
            try {
              appendFileSync(this.logFile, line);
            } catch {
              // The run folder is gone (the ensemble was disposed): the line has nowhere to go.
            }
          }),
        )
        .start();
    } catch (error) {
      throw new ZkChaosError(
        "SERVER_START_FAILED",
        `could not start ZooKeeper server ${this.id} from image ${this.image}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.state = "running";
    this.lastExit = undefined;
  }

  status(): Promise<ServerStatus> {
    return querySrvr(this.clientAddress.host, this.clientAddress.port);
  }

  async kill(): Promise<void> {
    await this.remove(0, "killed");
  }

  async stop(): Promise<void> {
    if (this.state === "paused") await this.resume();
    await this.remove(Math.ceil(this.spec.stopTimeoutMs / 1000) * 1000, "stopped");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async pause(): Promise<void> {
    const id = this.requireRunning("pause");
    const client = await getContainerRuntimeClient();
    await client.container.getById(id).pause();
    this.state = "paused";
  }

  async resume(): Promise<void> {
    if (this.state !== "paused" || this.container === undefined) return;
    const client = await getContainerRuntimeClient();
    await client.container.getById(this.container.getId()).unpause();
    this.state = "running";
  }

  killNow(): void {
    const id = this.container?.getId();
    if (id === undefined) return;
    try {
      execFileSync("docker", ["rm", "-f", id], { stdio: "ignore", timeout: 5000 });
    } catch {
      // The next start's reaper removes it.
    }
  }

  private async remove(timeoutMs: number, how: string): Promise<void> {
    const container = this.container;
    if (container === undefined) return;
    if (this.state === "paused") {
      const client = await getContainerRuntimeClient();
      await client.container
        .getById(container.getId())
        .unpause()
        .catch(() => undefined);
    }
    this.container = undefined;
    await container.stop({ timeout: timeoutMs, remove: true, removeVolumes: true });
    this.state = "stopped";
    this.lastExit = how;
  }

  private requireRunning(action: string): string {
    const id = this.container?.getId();
    if (id === undefined || this.state === "stopped") {
      throw new ZkChaosError(
        "SERVER_STATE",
        `cannot ${action} ZooKeeper server ${this.id}: its container is not running (restart it first)`,
      );
    }
    return id;
  }
}
