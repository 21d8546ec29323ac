import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Files that take a minute or more in CI, longest first (seconds measured there). A
 * clean clone has no timing cache, and vitest then starts larger files first: a small
 * file of two minutes started last kept one core busy alone at a group's end. Longest
 * first packs two workers tightest; a stale entry only moves a file in the queue.
 */
const SLOW_FILES = [
  "test/integration/faults/ssh-rig.test.ts", // 319
  "test/integration/docker/standard-suite-n3.test.ts", // 193
  "test/integration/docker/standard-suite-n5.test.ts", // 170
  "test/integration/deployment/validate-deployment.test.ts", // 120
  "test/integration/install/install-paths.test.ts", // 118
  "test/integration/workload/watches.test.ts", // 112
  "test/integration/explore/explore-cli.test.ts", // 84
  "test/integration/runner/tolerance-matrix.test.ts", // 83
  "test/integration/known-bugs/known-bugs-fixed.test.ts", // 80
  "test/integration/faults/data-damage.test.ts", // 80
  "test/integration/versions/versions.test.ts", // 78
  "test/integration/docker/validate-docker.test.ts", // 62
];

/** Vitest's order (groups, then cached durations or sizes), with the known slow files first in each group. */
class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = SLOW_FILES.findIndex((file) => spec.moduleId.endsWith(file));
      return index < 0 ? SLOW_FILES.length : index;
    };
    const group = (spec: TestSpecification) => spec.project.config.sequence.groupOrder;
    return sorted
      .map((spec, place) => ({ spec, place }))
      .sort(
        (a, b) => group(a.spec) - group(b.spec) || rank(a.spec) - rank(b.spec) || a.place - b.place,
      )
      .map(({ spec }) => spec);
  }
}

/** Test files the docker project runs: the fault tests again on containers, and the docker-only tests. */
const dockerFiles = [
  "test/integration/faults/partitions.test.ts",
  "test/integration/faults/process-and-degradation.test.ts",
  "test/integration/docker/**/*.test.ts",
];

/**
 * Test files that run ZooKeeper releases from the cache; the known-bug scenarios on
 * releases with the fix among them: an absence needs no quiet machine.
 */
const releaseFiles = [
  "test/integration/versions/**/*.test.ts",
  "test/integration/known-bugs/known-bugs-fixed.test.ts",
];

/** Known-bug reproductions: timing-sensitive by nature, so they run alone. */
const knownBugFiles = ["test/integration/known-bugs/**/*.test.ts"];

/** Explore's own known-bug search: seven-server campaigns that would starve the reproductions beside them. */
const exploreBugFiles = ["test/integration/known-bugs/explore-*.test.ts"];

export default defineConfig({
  test: {
    // Each file in its own process: a file's signal handlers and children stay its own.
    pool: "forks",
    maxWorkers: 2,
    // Real JVMs on a 2-core machine: generous, and never retried (a retry hides what we look for).
    testTimeout: 120_000,
    hookTimeout: 60_000,
    retry: 0,
    reporters: ["default"],
    sequence: { sequencer: SlowFirstSequencer },
    projects: [
      {
        extends: true,
        test: {
          name: "local",
          sequence: { groupOrder: 0 },
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/docker/**", ...releaseFiles, ...knownBugFiles],
        },
      },
      {
        // ZooKeeper releases resolved with Maven (skipped, saying why, when they cannot be).
        // Beside the local project: a file here is one more file of real servers, as any local
        // file is (two at a time), and the cache's entries are renamed into place, so two
        // files resolving one release at once is safe. Alone, its one long file left a core idle.
        extends: true,
        test: {
          name: "releases",
          sequence: { groupOrder: 0 },
          include: releaseFiles,
        },
      },
      {
        // A bug shows in a window of milliseconds: nothing else runs beside these.
        extends: true,
        test: {
          name: "known-bugs",
          sequence: { groupOrder: 2 },
          include: knownBugFiles,
          exclude: [...exploreBugFiles, ...releaseFiles],
        },
      },
      {
        // A group of its own, after the reproductions: two files of one group run side by side
        // (two workers), and a campaign beside a reproduction made it miss its window (CI, twice).
        extends: true,
        test: {
          name: "explore-bugs",
          sequence: { groupOrder: 3 },
          include: exploreBugFiles,
        },
      },
      {
        // Skipped, saying why, when no engine answers or the images are missing (scripts/setup.sh builds them).
        // Runs after the local project, not beside it: both at once starve the 2 cores, and a
        // ZooKeeper leader steps down on a timer, so a deposed leader slow to notice can still
        // answer a sync. That stale read is real (it failed the n=5 suite once under that load);
        // these tests are about the harness, so they run without the starvation.
        extends: true,
        test: {
          name: "docker",
          sequence: { groupOrder: 4 },
          include: dockerFiles,
          env: {
            ZK_CHAOS_TEST_PROVIDER: "docker",
            ZK_CHAOS_ZOOKEEPER_IMAGE:
              process.env.ZK_CHAOS_ZOOKEEPER_IMAGE ?? "zk-chaos/zookeeper:local",
            ZK_CHAOS_TOXIPROXY_IMAGE:
              process.env.ZK_CHAOS_TOXIPROXY_IMAGE ?? "zk-chaos/toxiproxy:local",
          },
        },
      },
    ],
  },
});
