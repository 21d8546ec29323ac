import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { cpuHierarchy } from "../ensemble/cpu-limit.js";
import { machineCannot } from "../providers/registry.js";
import {
  DEFAULT_RELEASE,
  findJava,
  findZooKeeperSource,
  javaMajorOf,
  mavenPresent,
} from "../zookeeper/install.js";
import { cachedReleases, findMaven } from "../zookeeper/release-cache.js";

/** What one check found. */
export interface CheckOutcome {
  readonly status: "ok" | "missing" | "warn";
  /** What was found, or why not. */
  readonly detail: string;
}

/** How to get a missing part, per kind of machine. */
export interface Fix {
  readonly debian: string;
  readonly fedora: string;
  /** For a user without root (or sudo). */
  readonly noRoot: string;
}

/** One part of the machine zk-chaos may need. */
export interface DoctorCheck {
  /** What it is needed for. */
  readonly enables: string;
  /** Whether a local run cannot start without it. */
  readonly required: boolean;
  readonly fix: Fix;
  run(env: NodeJS.ProcessEnv): Promise<CheckOutcome> | CheckOutcome;
}

const ok = (detail: string): CheckOutcome => ({ status: "ok", detail });
const missing = (detail: string): CheckOutcome => ({ status: "missing", detail });
const warn = (detail: string): CheckOutcome => ({ status: "warn", detail });
const firstLine = (error: unknown) => (error as Error).message.split("\n")[0] ?? String(error);

/** An executable on PATH (or at one of the given absolute paths). */
function onPath(
  name: string,
  env: NodeJS.ProcessEnv,
  also: readonly string[] = [],
): string | undefined {
  const dirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  return [...dirs.map((dir) => join(dir, name)), ...also].find((path) => existsSync(path));
}

const isRoot = () => process.getuid?.() === 0;

/** Whether a loopback port can be bound now (released at once). */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Every check `zk-chaos doctor` runs, by name, in the order printed. */
export const DOCTOR_CHECKS: Readonly<Record<string, DoctorCheck>> = {
  node: {
    enables: "zk-chaos itself (Node.js 22 or newer)",
    required: true,
    fix: {
      debian:
        "in a clone, bash scripts/setup.sh fetches Node 24 into .node/; or install Node.js 24 LTS",
      fedora: "sudo dnf install -y nodejs22 (or newer)",
      noRoot: "npm install node@24 into a folder of your own and put its bin/ first on PATH",
    },
    run: () => {
      const major = Number(process.versions.node.split(".")[0]);
      return major >= 22
        ? ok(`Node.js ${process.version}`)
        : missing(`Node.js ${process.version} is older than 22`);
    },
  },
  java: {
    enables: "local servers (every ZooKeeper server is a JVM)",
    required: true,
    fix: {
      debian: "sudo apt-get install -y default-jre-headless",
      fedora: "sudo dnf install -y java-17-openjdk-headless",
      noRoot: "unpack a JDK or JRE 17 tarball (e.g. Eclipse Temurin) and set JAVA_HOME to it",
    },
    run: (env) => {
      try {
        const java = findJava({ env });
        const major = javaMajorOf(java);
        return ok(`${java}${major === undefined ? "" : ` (Java ${major})`}`);
      } catch (error) {
        return missing(firstLine(error));
      }
    },
  },
  zookeeper: {
    enables:
      "local servers with no --zookeeper-version (Debian's package, ZK_HOME, --zk-home or the cache)",
    required: true,
    fix: {
      debian:
        "sudo apt-get install -y zookeeper (or Maven: zk-chaos then resolves a release itself)",
      fedora: `sudo dnf install -y maven (zk-chaos then resolves ZooKeeper ${DEFAULT_RELEASE} from Maven Central)`,
      noRoot:
        "unpack a ZooKeeper release (apache-zookeeper-X-bin.tar.gz) and set ZK_HOME, or give zk-chaos a Maven",
    },
    run: (env) => {
      try {
        const source = findZooKeeperSource({ env });
        return ok(`ZooKeeper ${source.version} from ${source.source}`);
      } catch (error) {
        return mavenPresent({ env })
          ? warn(
              `none installed: the first run resolves ZooKeeper ${DEFAULT_RELEASE} from Maven Central`,
            )
          : missing(firstLine(error));
      }
    },
  },
  maven: {
    enables: "--zookeeper-version (releases 3.4-3.9 resolved from Maven Central into the cache)",
    required: false,
    fix: {
      debian: "sudo apt-get install -y maven",
      fedora: "sudo dnf install -y maven",
      noRoot: "unpack Apache Maven's binary tarball and set ZK_CHAOS_MVN to its bin/mvn",
    },
    run: (env) => {
      try {
        const mvn = findMaven(undefined, env);
        const cached = cachedReleases().map((release) => release.version);
        return ok(`${mvn}; cached: ${cached.length > 0 ? cached.join(", ") : "none yet"}`);
      } catch (error) {
        return missing(firstLine(error));
      }
    },
  },
  docker: {
    enables: "--provider docker (servers in containers)",
    required: false,
    fix: {
      debian: "sudo apt-get install -y docker.io, then start dockerd",
      fedora: "sudo dnf install -y moby-engine, then sudo systemctl start docker",
      noRoot:
        "rootless Docker (dockerd-rootless-setuptool.sh install), then export DOCKER_HOST as it says",
    },
    run: async () => {
      // Loaded only here: the engine client costs a few hundred milliseconds.
      const { dockerAvailable } = await import("../docker/docker-engine.js");
      const engine = await dockerAvailable();
      return engine.available ? ok(engine.reason) : missing(engine.reason);
    },
  },
  root: {
    enables:
      "faults that mount or cap: disk-full, read-only, slow-fsync, starve; the kernel fault network",
    required: false,
    fix: {
      debian: "run as root (sudo) for those faults; every other fault runs without",
      fedora: "run as root (sudo) for those faults; every other fault runs without",
      noRoot: "leave those faults out: explore and validate skip them by themselves",
    },
    run: () => (isRoot() ? ok("running as root") : missing(`running as uid ${process.getuid?.()}`)),
  },
  cgroups: {
    enables: "the starve fault (a server held to a share of one core)",
    required: false,
    fix: {
      debian: "a kernel with cgroup v2 and its cpu controller (Debian 11+ has it); run as root",
      fedora: "cgroup v2 with the cpu controller (the default); run as root",
      noRoot: "not available without root",
    },
    run: () => {
      const hierarchy = cpuHierarchy();
      return hierarchy
        ? ok(`cgroup v${hierarchy.version} cpu controller at ${hierarchy.root}`)
        : missing("no CPU cgroup controller under /sys/fs/cgroup");
    },
  },
  faketime: {
    enables: "the clock fault (libfaketime preloaded into the server JVMs moves their clocks)",
    required: false,
    fix: {
      debian: "sudo apt-get install -y libfaketime",
      fedora: "sudo dnf install -y libfaketime",
      noRoot:
        "build libfaketime from its source (make) and export ZK_CHAOS_LIBFAKETIME=<its src/libfaketimeMT.so.1>",
    },
    run: () => {
      const why = machineCannot("clock");
      return why === undefined ? ok("libfaketime found") : missing(why);
    },
  },
  fuse: {
    enables: "the slow-fsync fault (a FUSE pass-through under a server's log)",
    required: false,
    fix: {
      debian: "sudo apt-get install -y fuse3 python3-fusepy",
      fedora: "sudo dnf install -y fuse3 python3-fusepy",
      noRoot: "not available without root (it mounts)",
    },
    run: () => {
      if (!existsSync("/dev/fuse")) return missing("no /dev/fuse");
      const probe = spawnSync("/usr/bin/python3", ["-c", "import fusepy"], { encoding: "utf8" });
      return probe.status === 0
        ? ok("/dev/fuse and Python's fusepy")
        : missing("/dev/fuse is there, but /usr/bin/python3 has no fusepy");
    },
  },
  sshd: {
    enables: "the ssh provider's own tests (a rig of namespace hosts, each with an sshd)",
    required: false,
    fix: {
      debian: "sudo apt-get install -y openssh-server iproute2 iptables",
      fedora: "sudo dnf install -y openssh-server iproute iptables",
      noRoot: "the rig needs root; --provider ssh against your own hosts needs only their sshd",
    },
    run: (env) => {
      const sshd = onPath("sshd", env, ["/usr/sbin/sshd"]);
      return sshd ? ok(sshd) : missing("no sshd");
    },
  },
  "kernel-network": {
    enables: "the kernel fault network of --provider ssh (iptables cuts, tc shaping on each host)",
    required: false,
    fix: {
      debian: "sudo apt-get install -y iptables iproute2",
      fedora: "sudo dnf install -y iptables iproute-tc",
      noRoot: "needed on the hosts only, where the inventory's user may sudo",
    },
    run: (env) => {
      const found = ["iptables", "tc"].map((name) =>
        onPath(name, env, [`/usr/sbin/${name}`, `/sbin/${name}`]),
      );
      return found.every(Boolean)
        ? ok(found.join(", "))
        : missing(`not found: ${["iptables", "tc"].filter((_, i) => !found[i]).join(", ")}`);
    },
  },
  ports: {
    enables:
      "servers and proxies on loopback; `zk-chaos toxiproxy` (8474) and `zk-chaos serve` (8080) on their default ports",
    required: false,
    fix: {
      debian: "free the ports named, or give --port to toxiproxy and serve",
      fedora: "free the ports named, or give --port to toxiproxy and serve",
      noRoot: "free the ports named, or give --port to toxiproxy and serve",
    },
    run: async () => {
      if (!(await portFree(0))) return missing("cannot bind a port on 127.0.0.1");
      const busy: number[] = [];
      for (const port of [8474, 8080]) if (!(await portFree(port))) busy.push(port);
      return busy.length === 0
        ? ok("loopback binds; 8474 and 8080 free")
        : warn(`loopback binds; in use: ${busy.join(", ")}`);
    },
  },
};
