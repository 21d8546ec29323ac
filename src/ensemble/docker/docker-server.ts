import { appendFileSync } from "node:fs";
import type { StartedTestContainer } from "testcontainers";
import { addressedContainer, type NetworkPlacement } from "../../docker/addressed-container.js";
import {
  configureTestcontainers,
  OWNER_LABEL,
  ROLE_LABEL,
  RUN_LABEL,
  removeContainerNow,
} from "../../docker/docker-engine.js";
import { containerOf, runtimeClient, testcontainers } from "../../docker/testcontainers.js";
import { ZkChaosError } from "../../errors.js";
import { sleep } from "../../util/sleep.js";
import { querySrvr, type ServerStatus } from "../../zookeeper/srvr.js";
import type { ProcessState, ServerAddress } from "../ensemble.js";
import { type ManagedServer, retiredError, type ServerLaunchSpec } from "../local/local-server.js";

/** Tries of a container pause that runc could not freeze (it thaws it each time). */
const FREEZE_ATTEMPTS = 5;

/** JVM flags that point at host log configs: in a container the image's console logging is used instead. */
const HOST_LOG_FLAGS = ["-Dlog4j.configuration=", "-Dlogback.configurationFile="];

/**
 * One ZooKeeper server in a container (testcontainers), on the host network
 * so the proxies and clients reach it on loopback, or at a fixed address of a
 * run's bridge network under its DNS name (zk1, ...). Its folder is mounted at
 * the same path, so the generated zoo.cfg works unchanged and the data
 * survives a kill: a restart is a new container on the same data.
 *
 * It relies on the official `zookeeper` image's contract, which every tag
 * from 3.4 to 3.9 keeps (and docker/build-zookeeper-image.sh reproduces):
 * `zkServer.sh start-foreground <zoo.cfg>` on PATH, honouring SERVER_JVMFLAGS,
 * logging on the console. It runs as root so the mounted folder is writable.
 */
export class DockerServer implements ManagedServer {
  readonly id: number;
  readonly clientAddress: ServerAddress;
  readonly logFile: string;
  readonly outFile: string;
  private container: StartedTestContainer | undefined;
  /** On a run network: the container that holds the server's address (see addressHolder). */
  private holder: Promise<StartedTestContainer> | undefined;
  private holderId: string | undefined;
  private hostPid: number | undefined;
  private state: ProcessState = "stopped";
  private retired = false;
  private lastExit: string | undefined;
  /** Removal of a container whose JVM ended by itself, until it is done. */
  private exitRemoval: Promise<void> = Promise.resolve();

  constructor(
    private readonly spec: ServerLaunchSpec,
    private readonly image: string,
    /** Its place on a run's bridge network; default: the host network. */
    private readonly placement?: NetworkPlacement,
  ) {
    this.id = spec.id;
    this.clientAddress = spec.clientAddress;
    this.logFile = spec.logFile;
    this.outFile = spec.outFile;
  }

  get processState(): ProcessState {
    return this.retired ? "retired" : this.state;
  }

  retire(): void {
    this.retired = true;
  }

  /** The JVM's pid as the host sees it (the container's main process), while it runs. */
  get pid(): number | undefined {
    return this.container === undefined ? undefined : this.hostPid;
  }

  get exitDescription(): string | undefined {
    return this.lastExit;
  }

  /** The container's id while it runs. */
  get containerId(): string | undefined {
    return this.container?.getId();
  }

  /**
   * The container holding the server's address on a run network, as a pod's
   * sandbox does: it outlives the server's own container, so a killed server
   * is a dead process on a live host (connections to it are refused at once,
   * its name still resolves), not a host gone from the network.
   */
  private async addressHolder(placement: NetworkPlacement): Promise<string> {
    this.holder ??= addressedContainer(this.image)
      .then((container) => container.placedOn(placement))
      .then((container) =>
        container
          .withEntrypoint(["sleep"])
          .withCommand(["infinity"])
          .withLabels({
            [RUN_LABEL]: this.spec.runId,
            [OWNER_LABEL]: this.spec.owner,
            [ROLE_LABEL]: "address-holder",
            "zk-chaos.server": String(this.id),
          })
          .start(),
      )
      .catch((error: unknown) => {
        this.holder = undefined;
        throw new Error(
          `its address holder (\`sleep infinity\` in ${this.image}) did not start: ${(error as Error).message}; an image built before this release lacks sleep: rebuild it with docker/build-zookeeper-image.sh`,
        );
      });
    this.holderId = (await this.holder).getId();
    return this.holderId;
  }

  /** Removes the address holder once the server is retired (its ensemble disposed). */
  private async removeHolder(): Promise<void> {
    const holder = this.holder;
    this.holder = undefined;
    this.holderId = undefined;
    await (await holder?.catch(() => undefined))?.stop({ timeout: 0, remove: true });
  }

  async start(): Promise<void> {
    if (this.retired) throw retiredError(this.id);
    if (this.container !== undefined) return;
    configureTestcontainers();
    const jvmFlags = this.spec.jvmOptions.filter(
      (flag) => !HOST_LOG_FLAGS.some((prefix) => flag.startsWith(prefix)),
    );
    try {
      const network = this.placement
        ? `container:${await this.addressHolder(this.placement)}`
        : "host";
      const { Wait } = await testcontainers();
      this.container = await (await containerOf(this.image))
        .withNetworkMode(network)
        .withUser("0")
        .withBindMounts([{ source: this.spec.serverDir, target: this.spec.serverDir, mode: "rw" }])
        .withEntrypoint(["zkServer.sh"])
        .withCommand(["start-foreground", this.spec.confFile])
        .withEnvironment({ SERVER_JVMFLAGS: jvmFlags.join(" "), ZOO_LOG_DIR: this.spec.serverDir })
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
    if (this.retired) {
      // Disposed while the container was starting: it must not outlive the ensemble.
      const late = this.container;
      this.container = undefined;
      await late.stop({ timeout: 0, remove: true, removeVolumes: true });
      throw retiredError(this.id);
    }
    const client = await runtimeClient();
    const info = await client.container.inspect(client.container.getById(this.container.getId()));
    this.hostPid = info.State.Pid > 0 ? info.State.Pid : undefined;
    this.state = "running";
    this.lastExit = undefined;
    this.watchExit(this.container);
  }

  /**
   * Notices a JVM that ends by itself (a server refusing its data exits 1), as
   * a local process's exit is noticed: the server is then stopped, with its
   * exit code, and the exited container is removed so that a start makes anew.
   */
  private watchExit(container: StartedTestContainer): void {
    const id = container.getId();
    void runtimeClient()
      .then((client) => client.container.dockerode.getContainer(id).wait())
      .then(async (result: { StatusCode?: number }) => {
        // Removed by us (kill, stop, dispose): that exit is already accounted for.
        if (this.container !== container) return;
        this.container = undefined;
        this.state = "stopped";
        this.lastExit = `exit code ${result.StatusCode ?? "unknown"}`;
        this.exitRemoval = container.stop({ timeout: 0, remove: true, removeVolumes: true }).then(
          () => undefined,
          () => removeContainerNow(id),
        );
        await this.exitRemoval;
      })
      .catch(() => {
        // The engine went away or the container is gone: the next start's reaper removes it.
      });
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
    const client = await runtimeClient();
    // runc gives up freezing a cgroup whose threads keep changing (a busy JVM on a loaded
    // machine: "unable to freeze", CI once) and thaws it again: the container runs on, so
    // another try is safe, and usually lands.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.container.getById(id).pause();
        break;
      } catch (error) {
        if (attempt >= FREEZE_ATTEMPTS || !/unable to freeze/.test(String(error))) throw error;
        await sleep(100 * attempt);
      }
    }
    this.state = "paused";
  }

  async resume(): Promise<void> {
    if (this.state !== "paused" || this.container === undefined) return;
    const client = await runtimeClient();
    await client.container.getById(this.container.getId()).unpause();
    this.state = "running";
  }

  killNow(): void {
    const id = this.container?.getId();
    if (id !== undefined) removeContainerNow(id);
    if (this.holderId !== undefined) removeContainerNow(this.holderId);
  }

  private async remove(timeoutMs: number, how: string): Promise<void> {
    try {
      await this.removeServerContainer(timeoutMs, how);
    } finally {
      // Retired: its ensemble is going away, and the address with it.
      if (this.retired) await this.removeHolder();
    }
  }

  private async removeServerContainer(timeoutMs: number, how: string): Promise<void> {
    const container = this.container;
    // Gone by itself: its removal may still be under way; nothing may outlive the call.
    if (container === undefined) return this.exitRemoval;
    if (this.state === "paused") {
      const client = await runtimeClient();
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
