import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Verdict } from "../../../src/checkers/verdict.js";
import { WORKER_MIN_OPERATIONS } from "../../../src/checkers/zookeeper/general-in-worker.js";
import { checkZooKeeper } from "../../../src/checkers/zookeeper/zookeeper-checker.js";
import { syntheticHistory } from "../../../src/testing/synthetic-history.js";
import { spawnCli } from "../../helpers/cli.js";

const dir = mkdtempSync(join(tmpdir(), "zk-chaos-parallel-check-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A verdict as JSON writes it, without its time and where it ran. */
const comparable = (verdict: Verdict) => {
  const { elapsedMs: _, stats, ...rest } = JSON.parse(JSON.stringify(verdict)) as Verdict;
  const { worker: __, ...others } = stats ?? {};
  return { ...rest, stats: others };
};

describe("zk-chaos check on a large history: the general search on a second core", () => {
  it("reaches in a worker thread the verdicts the one-thread checker reaches, an anomaly included", async () => {
    // Two writes in the wrong zxid order: both the zxid checks and the general search find it.
    const { events } = syntheticHistory(
      {
        seed: 5,
        operations: WORKER_MIN_OPERATIONS + 10_000,
        processes: 20,
        registers: 5,
        infoRate: 0.01,
      },
      "realtime-inversion",
    );
    const file = join(dir, "history.jsonl");
    writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join("\n")}\n`);
    const check = spawnCli(["check", file, "--json"]);
    expect(await check.exited, check.output()).toBe(1);
    const reported = (JSON.parse(check.output()) as { verdicts: Verdict[] }).verdicts;
    const general = reported.find((verdict) => verdict.checker === "register-linearizability");
    expect(general?.stats?.worker, "the general search ran in a worker thread").toBe(true);
    expect(general?.valid).toBe(false);
    const alone = checkZooKeeper(events, { sessionTimeoutMs: 10_000, timeoutMs: 60_000 });
    expect(
      reported
        .filter(
          (verdict) => verdict.checker !== "availability" && verdict.checker !== "transactions",
        )
        .map(comparable),
    ).toEqual(alone.map(comparable));
  });
});
