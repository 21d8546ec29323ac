/**
 * An ensemble that already runs somewhere (`--connect HOST:PORT,...`): the
 * harness learns its size, version, modes and timing from the four-letter
 * words, and may talk to it as a client, but never touches its servers: every
 * server action is refused. What it writes goes under one root znode of the
 * run, removed afterwards (see removeTree).
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BadInputError, ZkChaosError } from "../../errors.js";
import { PRODUCTION_SETTINGS, type ZooKeeperSettings } from "../../zookeeper/settings.js";
import { fourLetterWord, querySrvr, type ServerStatus } from "../../zookeeper/srvr.js";
import { normalizeVersion } from "../../zookeeper/version-range.js";
import type {
  Ensemble,
  EnsembleServer,
  QuorumState,
  ServerAddress,
  WaitForQuorumOptions,
} from "../ensemble.js";
import { SrvrHeldEnsemble, waitForServing } from "../srvr-quorum.js";

const REFUSED =
  "is part of an existing ensemble (--connect): zk-chaos never acts on its servers; only client-side faults (client-isolate) apply";

/** A server of an existing ensemble: asked through `srvr`, never acted on. */
class ExistingServer implements EnsembleServer {
  readonly processState = "running" as const;

  constructor(
    readonly id: number,
    readonly clientAddress: ServerAddress,
  ) {}

  status(): Promise<ServerStatus> {
    return querySrvr(this.clientAddress.host, this.clientAddress.port);
  }

  private refuse(action: string): Promise<never> {
    return Promise.reject(
      new ZkChaosError(
        "BAD_INPUT",
        `cannot ${action} server ${this.id} (${this.clientAddress.host}:${this.clientAddress.port}): it ${REFUSED}`,
      ),
    );
  }

  kill(): Promise<void> {
    return this.refuse("kill");
  }
  stop(): Promise<void> {
    return this.refuse("stop");
  }
  restart(): Promise<void> {
    return this.refuse("restart");
  }
  pause(): Promise<void> {
    return this.refuse("pause");
  }
  resume(): Promise<void> {
    return this.refuse("resume");
  }
}

/** tickTime, initLimit and syncLimit from `conf` when the servers answer it; else ZooKeeper's production defaults. */
async function learnSettings(address: ServerAddress): Promise<ZooKeeperSettings> {
  try {
    const text = await fourLetterWord(address.host, address.port, "conf", 2000);
    const value = (key: string) => {
      const match = new RegExp(`^${key}=(\\d+)$`, "m").exec(text);
      return match ? Number(match[1]) : undefined;
    };
    return {
      ...PRODUCTION_SETTINGS,
      tickTime: value("tickTime") ?? PRODUCTION_SETTINGS.tickTime,
      initLimit: value("initLimit") ?? PRODUCTION_SETTINGS.initLimit,
      syncLimit: value("syncLimit") ?? PRODUCTION_SETTINGS.syncLimit,
    };
  } catch {
    return PRODUCTION_SETTINGS;
  }
}

/** An existing ensemble, as the harness sees it. */
export class ExistingEnsemble extends SrvrHeldEnsemble<ExistingServer> implements Ensemble {
  readonly provider = "existing";
  readonly runId: string;
  readonly size: number;
  readonly servers: readonly ExistingServer[];
  readonly observers: readonly number[];
  readonly dir: string;
  private disposed = false;

  private constructor(
    addresses: readonly ServerAddress[],
    readonly settings: ZooKeeperSettings,
    readonly zooKeeperVersion: string,
    observers: readonly number[],
  ) {
    super();
    this.runId = `${new Date().toISOString().replace(/[-:]/g, "").slice(0, 15)}-${randomBytes(4).toString("hex")}`;
    this.size = addresses.length;
    this.servers = addresses.map((address, index) => new ExistingServer(index + 1, address));
    this.observers = observers;
    this.dir = mkdtempSync(join(tmpdir(), "zk-chaos-existing-"));
  }

  /**
   * Asks every server `srvr` and learns the ensemble: each must serve, with
   * exactly one leader among them (or one standalone server); names any that
   * does not, and the fix.
   */
  static async connect(addresses: readonly ServerAddress[]): Promise<ExistingEnsemble> {
    const statuses = await Promise.all(
      addresses.map((address) => querySrvr(address.host, address.port, 3000)),
    );
    const problems = statuses.flatMap((status, index) => {
      const address = addresses[index] as ServerAddress;
      if (status.state === "serving") return [];
      return [
        `${address.host}:${address.port}: ${status.state === "unreachable" ? `no srvr answer (${status.reason}): is it a ZooKeeper client port, with srvr in 4lw.commands.whitelist?` : "answers but does not serve requests (no quorum?)"}`,
      ];
    });
    if (problems.length > 0)
      throw new BadInputError(`--connect: not every server serves:\n  ${problems.join("\n  ")}`);
    const serving = statuses as (ServerStatus & { state: "serving" })[];
    const leaders = serving.filter(
      (status) => status.mode === "leader" || status.mode === "standalone",
    );
    if (leaders.length !== 1)
      throw new BadInputError(
        `--connect: ${leaders.length} servers say they lead (${serving.map((status, index) => `${index + 1}: ${status.mode}`).join(", ")}): name every server of one ensemble`,
      );
    const observers = serving.flatMap((status, index) =>
      status.mode === "observer" ? [index + 1] : [],
    );
    const settings = await learnSettings(addresses[0] as ServerAddress);
    const versions = [...new Set(serving.map((status) => normalizeVersion(status.version)))];
    // Mid-upgrade ensembles run several: name them all, as a mixed local ensemble does.
    return new ExistingEnsemble(addresses, settings, versions.join("+"), observers);
  }

  async collectLogs(): Promise<void> {
    // Its servers' logs live on its own machines.
  }

  waitForQuorum(options: WaitForQuorumOptions = {}): Promise<QuorumState> {
    return waitForServing(this.servers, options, "the existing ensemble", () => this.disposed);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    rmSync(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }
}
