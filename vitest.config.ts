import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Each file in its own process: a file's signal handlers and children stay its own.
    pool: "forks",
    maxWorkers: 2,
    // Real JVMs on a 2-core machine: generous, and never retried (a retry hides what we look for).
    testTimeout: 120_000,
    hookTimeout: 60_000,
    retry: 0,
    reporters: ["default"],
  },
});
