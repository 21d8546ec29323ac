import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import type { ExploreCandidate } from "../../../src/explore/candidate.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { spawnCli } from "../../helpers/cli.js";
import { describeWithVersions } from "../../helpers/versions.js";

const out = mkdtempSync(join(tmpdir(), "zk-chaos-explore-1622-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/**
 * A corpus entry of the shape agents take on 3.4.5: seven servers, agents on
 * one server each that keep taking fresh sessions, the leader killed twice.
 * Explore starts from it, as a campaign starts from a kept corpus. The bug
 * needs two followers to start their session trackers in the same
 * millisecond after an election, so a run shows it by chance: six search
 * runs, not three (one CI run's three elections per run x 3 runs missed it).
 */
const seed: ExploreCandidate = {
  nodes: 7,
  durationMs: 8000,
  workload: { workers: 14, rate: 20, registers: 3, connect: "one", sessionOps: 8 },
  faults: [
    { id: "x1", atMs: 2000, forMs: 1500, spec: { kind: "kill", target: "leader" } },
    { id: "x2", atMs: 5000, forMs: 1500, spec: { kind: "kill", target: "leader" } },
  ],
};

(await describeWithVersions(["3.4.5", "3.4.14"]))(
  "explore finds and shrinks a real defect of 3.4.5",
  () => {
    it("shared session ids (ZOOKEEPER-1622): found, shrunk, written as a scenario that replays, and absent on 3.4.14", async () => {
      const corpus = join(out, "corpus");
      mkdirSync(corpus, { recursive: true });
      writeFileSync(
        join(corpus, "index.json"),
        JSON.stringify({
          version: 1,
          entries: [{ id: "agents", candidate: seed, grams: [], fresh: 0, how: "kept" }],
        }),
      );
      // 3.4.5 has other defects a campaign may meet first (CI once: a follower's
      // NullPointerException on a null socket ended the one-finding campaign before 1622):
      // then a second campaign goes on from the corpus the first one grew.
      let found: { dir: string; report: string } | undefined;
      const met: string[] = [];
      for (const campaign of [2, 3]) {
        const campaignOut = join(out, `campaign-${campaign}`);
        const cli = spawnCli([
          "explore",
          "--zookeeper-version",
          "3.4.5",
          "--nodes",
          "7",
          "--kinds",
          "kill",
          "--corpus",
          corpus,
          "--budget",
          "6m",
          "--max-runs",
          "6",
          "--max-findings",
          "1",
          "--shrink-trials",
          "1",
          "--replays",
          "3",
          "--also-on",
          "3.4.14",
          "--seed",
          String(campaign),
          "--out",
          campaignOut,
        ]);
        const code = await cli.exited;
        expect([0, 1], cli.output()).toContain(code);
        const findingsDir = join(campaignOut, "findings");
        const findings = (existsSync(findingsDir) ? readdirSync(findingsDir) : [])
          .map((name) => join(findingsDir, name))
          .filter((dir) => existsSync(join(dir, "finding.md")))
          .map((dir) => ({ dir, report: readFileSync(join(dir, "finding.md"), "utf8") }));
        met.push(...findings.map((each) => each.report.split("\n")[2] ?? ""));
        found = findings.find((each) => /unique-session-ids:shared-session-id/.test(each.report));
        if (found !== undefined) {
          expect(code, cli.output()).toBe(1);
          break;
        }
      }
      expect(found, `findings: ${met.join("; ")}`).toBeDefined();
      const { dir, report } = found as { dir: string; report: string };
      // Two or more followers may start their trackers in the same millisecond: 2 clients or more.
      expect(report).toMatch(/session 0x[0-9a-f]+ was handed to [2-9] clients/);
      expect(report).toMatch(/proven by history events:\n {4}- #\d+ .* session-\d+ info session/);
      expect(report).toMatch(/## Documented bugs\n\n- ZOOKEEPER-1622:/);
      expect(report).toMatch(/On 3\.4\.14: 0\/3 replays\./);
      const replayed = Number(
        /showed the anomaly in (\d)\/3 replays on 3\.4\.5/.exec(report)?.[1] ?? Number.NaN,
      );
      expect(replayed, report).toBeGreaterThanOrEqual(0);
      // The shrunk scenario is an ordinary scenario file: `zk-chaos run` takes it.
      const scenario = parseScenario(
        readFileSync(join(dir, "scenario.yaml"), "utf8"),
        "scenario.yaml",
      );
      // Each replay shows the same-millisecond chance again (about 2 runs in 5): when the three
      // replays showed none (CI, twice), `zk-chaos run` of the scenario shows it within six more.
      let seen = replayed > 0;
      for (let seed = 1; !seen && seed <= 6; seed++) {
        const run = spawnCli([
          "run",
          join(dir, "scenario.yaml"),
          "--seed",
          String(seed),
          "--out",
          out,
        ]);
        seen = (await run.exited) === 1 && /shared-session-id|handed to/.test(run.output());
      }
      expect(seen).toBe(true);
      expect(scenario.zookeeper.version).toBe("3.4.5");
      expect(scenario.faults.length).toBeLessThanOrEqual(3);
      expect(readdirSync(join(dir, "original"))).toContain("history.jsonl");
    }, 720_000);
  },
);
