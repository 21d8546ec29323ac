import { defineConfig } from "vitest/config";

/** Test files the docker project runs: the fault tests again on containers, and the docker-only tests. */
const dockerFiles = [
  "test/integration/faults/partitions.test.ts",
  "test/integration/faults/process-and-degradation.test.ts",
  "test/integration/docker/**/*.test.ts",
];

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
    projects: [
      {
        extends: true,
        test: {
          name: "local",
          include: ["test/**/*.test.ts"],
          exclude: ["test/integration/docker/**"],
        },
      },
      {
        // Skipped, saying why, when no engine answers or the images are missing (scripts/setup.sh builds them).
        extends: true,
        test: {
          name: "docker",
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
