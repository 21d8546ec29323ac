import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli } from "../../helpers/cli.js";
import { knownBugRuns, verdictOf } from "../../helpers/known-bug-runs.js";

// The reproductions on the affected release. Their fixed releases' runs are in
// known-bugs-fixed.test.ts, which runs with the release tests: a reproduction needs the
// machine to itself, a bug's absence does not.
const bugs = knownBugRuns();

/**
 * A race a reproduction hits most runs but not every one under load: up to one ordinary run
 * per seed, the first that shows the bug (exit 0) is the one examined; none fails the test.
 */
async function firstSeedShowing(
  bug: string,
  seeds: readonly number[],
): Promise<{ seed: number; output: string }> {
  let output = "";
  for (const seed of seeds) {
    const cli = bugs.runBug(bug, seed);
    const code = await cli.exited;
    output += cli.output();
    if (code === 0) return { seed, output };
  }
  expect.fail(`${bug} showed on none of seeds ${seeds.join(", ")}:\n${output}`);
}

describe("a fault triggered by a server's log line reproduces a documented 3.8.0 bug", () => {
  it("NEWLEADER transaction loss: the trigger fires on the line, the bug shows, and that is as expected (exit 0)", async () => {
    const cli = bugs.runBug("newleader-txn-loss", 11);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(
      /reproduced ZOOKEEPER-4643, ZOOKEEPER-4646, ZOOKEEPER-4785 on 3\.8\.0 n=3 seed=11: as expected/,
    );
    const events = bugs.history("-zk3.8.0-11");
    const trigger = events.find((event) => event.process === "nemesis" && event.f === "trigger");
    expect(trigger?.value).toMatchObject({ id: "crash-in-sync", server: 3 });
    expect(String((trigger?.value as { line?: string } | undefined)?.line)).toContain(
      "Learner received NEWLEADER",
    );
    // The server's own lines are in the history, the truncation among them.
    expect(
      events.some(
        (event) =>
          event.process !== "server-3" &&
          String(event.process).startsWith("server-") &&
          (event.value as { kind?: string }).kind === "truncating-log",
      ),
    ).toBe(true);
    const results = bugs.results("newleader-txn-loss-n3-zk3.8.0-11");
    expect(results.bug).toMatchObject({
      observed: "reproduced",
      expected: "reproduced",
      matched: true,
    });
    // The servers' election lines prove the cause: server 3 led without committed writes.
    const completeness = verdictOf(results, "leader-completeness");
    expect(completeness.valid).toBe(false);
    expect(completeness.anomalies[0]?.message).toMatch(/^server 3 took over as leader/);
    expect(completeness.anomalies[0]?.cause?.knownBugs).toContain("ZOOKEEPER-4643");
    const registers = verdictOf(results, "zookeeper-registers");
    expect(registers.anomalies.length).toBeGreaterThan(0);
    expect(registers.anomalies.every((anomaly) => anomaly.cause !== undefined)).toBe(true);
    expect(cli.output()).toMatch(/anomal(y|ies) from one cause: server 3 led from 0x/);
  });

  it("NEWLEADER transaction loss on a wire trigger: no server slowed, the follower's ACK held in the proxy until it is killed", async () => {
    // The follower writes its transactions a few milliseconds after its ACK: the trigger meets
    // that window in 8 of 8 seeds here (bench/known-bugs.ts), fewer when CI's other test files
    // keep this process from reading the ACK at once (seeds 12 and 13 both missed once), so up
    // to three seeds.
    let seed = 12;
    let cli = bugs.runBug("newleader-txn-loss-wire", seed);
    while ((await cli.exited) !== 0 && seed < 14) {
      seed++;
      cli = bugs.runBug("newleader-txn-loss-wire", seed);
    }
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(
      new RegExp(`reproduced ZOOKEEPER-4643.* on 3\\.8\\.0 n=3 seed=${seed}: as expected`),
    );
    const events = bugs.history(`-zk3.8.0-${seed}`);
    const plan = JSON.parse(readFileSync(bugs.file(`-zk3.8.0-${seed}`, "plan.json"), "utf8")) as {
      wire?: string;
      serverSettings?: unknown;
    };
    // The wire is on because the trigger needs it; no server has a setting of its own.
    expect(plan.wire).toBe("summary");
    expect(plan.serverSettings).toBeUndefined();
    const held = events.find(
      (event) =>
        event.process === "wire" && (event.value as { by?: string }).by === "crash-in-sync",
    );
    if (held === undefined) throw new Error("no wire event held by crash-in-sync");
    const heldValue = held.value as { connection: number };
    expect(heldValue).toMatchObject({ channel: "quorum", sender: 3, type: "ACK", action: "hold" });
    // The NEWLEADER it answers crossed the same connection just before.
    const newLeader = events
      .slice(0, held.index as number)
      .reverse()
      .find(
        (event) =>
          event.process === "wire" && (event.value as { type?: string }).type === "NEWLEADER",
      );
    expect(newLeader?.value).toMatchObject({ receiver: 3, connection: heldValue.connection });
    const trigger = events.find((event) => event.process === "nemesis" && event.f === "trigger");
    expect(trigger?.value).toMatchObject({ id: "crash-in-sync", server: 3 });
    expect(String((trigger?.value as { line?: string } | undefined)?.line)).toMatch(
      /^wire: ACK 3 -> \d .*held/,
    );
    // The kill came after the hold.
    const kill = events.find(
      (event) =>
        event.process === "nemesis" &&
        event.f === "kill" &&
        (event.value as { id?: string }).id === "crash-in-sync",
    );
    expect(kill?.index as number).toBeGreaterThan(held.index as number);
  }, 240_000);

  it("COMMIT during a sync (ZOOKEEPER-4394): late ACKs keep a write outstanding, the syncing follower meets its COMMIT before UPTODATE and throws", async () => {
    // A COMMIT racing the end of a sync: absent once at seed 5 in CI under load (reproduced in
    // the CI before it). Up to three seeds, each an ordinary run; the first that shows it is examined.
    const { seed, output } = await firstSeedShowing("commit-during-sync", [5, 6, 7]);
    expect(output).toMatch(
      new RegExp(`reproduced ZOOKEEPER-4394 on 3\\.8\\.0 n=3 seed=${seed}: as expected`),
    );
    const results = bugs.results(`commit-during-sync-n3-zk3.8.0-${seed}`);
    const internal = verdictOf(results, "internal-errors");
    expect(internal.valid).toBe(false);
    // The proof: the log line, and on the wire the NEWLEADER, the COMMIT after it and that write's PROPOSAL.
    expect(internal.anomalies[0]?.message).toMatch(
      /^server-1 hit an internal error.*NullPointerException.*; on the wire it received NEWLEADER \(event \d+\), then the COMMIT of 0x\d+:0x[0-9a-f]+ \(event \d+\) before any UPTODATE; that write's PROPOSAL had come before NEWLEADER/,
    );
    // No data harm: the consistency checkers find nothing.
    expect(verdictOf(results, "zookeeper-registers").valid).toBe(true);
    // Only ACKs were late, by the rule's own hand.
    const late = bugs
      .history(`commit-during-sync-n3-zk3.8.0-${seed}`)
      .filter(
        (event) => event.process === "wire" && (event.value as { by?: string }).by === "late-acks",
      );
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((event) => (event.value as { type?: string }).type === "ACK")).toBe(true);
  });

  it("ACKs after the leader was lost (ZOOKEEPER-4409): the late-flushing follower's sync thread meets the learner's null socket", async () => {
    // A flush racing a kill: 10/10 on an idle machine, once absent in CI under load. Up to
    // three seeds, each an ordinary run; the first that shows it is examined.
    const { seed, output } = await firstSeedShowing("ack-after-leader-lost", [1, 2, 3]);
    expect(output).toMatch(
      new RegExp(`reproduced ZOOKEEPER-4409 on 3\\.8\\.0 n=3 seed=${seed}: as expected`),
    );
    const results = bugs.results(`ack-after-leader-lost-n3-zk3.8.0-${seed}`);
    const internal = verdictOf(results, "internal-errors");
    // The proof is server 1's own line (it alone flushes late), after the leader's kill.
    expect(internal.anomalies[0]?.message).toMatch(
      /^server-1 hit an internal error.*NullPointerException.*"this\.learner\.sock" is null/,
    );
    const events = bugs.history(`ack-after-leader-lost-n3-zk3.8.0-${seed}`);
    const kill = events.find((event) => event.f === "kill" && event.type === "info");
    expect(kill?.index).toBeLessThan(internal.anomalies[0]?.events[0] as number);
    // No data harm: the consistency checkers find nothing.
    expect(verdictOf(results, "zookeeper-registers").valid).toBe(true);
  });

  it("empty log after a full disk: the restarted server never loads its database again, proven by its log line", async () => {
    const cli = bugs.runBug("empty-log-after-full-disk", 2);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/reproduced ZOOKEEPER-2332 on 3\.8\.0 n=3 seed=2: as expected/);
    expect(cli.output()).toMatch(
      /servers-recover: server \d did not come back .*Unable to load database on disk/,
    );
    const events = bugs.history("empty-log-after-full-disk-n3-zk3.8.0-2");
    const filled = events.find((event) => event.f === "disk-full" && event.type === "info");
    expect(filled?.value).toMatchObject({ id: "full" });
    expect(
      events.some((event) => (event.value as { kind?: string } | undefined)?.kind === "disk-full"),
    ).toBe(true);
  });

  it("faults in the first second never crash the harness: a kill at 0 s and at 200 ms", async () => {
    const file = join(bugs.out, "early-faults.yaml");
    writeFileSync(
      file,
      [
        "name: early-faults",
        "nodes: [3]",
        "duration: 6s",
        "workload: { kind: registers, workers: 4, rate: 20 }",
        "faults:",
        "  - { at: 0s, for: 2s, fault: { kind: kill, target: leader } }",
        "  - { at: 200ms, for: 2s, fault: { kind: kill, target: follower } }",
        "",
      ].join("\n"),
    );
    const cli = spawnCli(["run", file, "--seed", "3", "--out", bugs.out]);
    const code = await cli.exited;
    expect(cli.output()).not.toMatch(/internal error/);
    expect([0, 1], cli.output()).toContain(code);
    expect(cli.output()).toMatch(/early-faults zk=3\.8\.0 n=3 seed=3/);
    const setup = bugs.history("early-faults-n3-zk3.8.0-3").filter((event) => event.f === "setup");
    expect(setup.some((event) => event.type === "ok")).toBe(true);
  });
});
