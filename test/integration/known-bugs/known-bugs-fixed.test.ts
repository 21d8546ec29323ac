import { expect, it } from "vitest";
import { knownBugRuns, verdictOf } from "../../helpers/known-bug-runs.js";
import { describeWithVersions } from "../../helpers/versions.js";

// The known-bug scenarios of known-bugs.test.ts on a release with each fix: the bug is
// absent. An absence needs no quiet machine, so this file runs with the other release
// tests, beside the local ones, rather than alone with the reproductions (vitest.config.ts).
const bugs = knownBugRuns();

const describeFixed = await describeWithVersions(["3.9.5"]);

describeFixed("the known-bug scenarios on a release with the fix", () => {
  it("3.9.5: the trigger fires, servers truncate only what was never committed, the bug is absent as expected", async () => {
    const cli = bugs.runBug("newleader-txn-loss", 11, "3.9.5");
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/absent +ZOOKEEPER-4643.* on 3\.9\.5 n=3 seed=11: as expected/);
    expect(
      bugs
        .history("-zk3.9.5-11")
        .some((event) => event.process === "nemesis" && event.f === "trigger"),
    ).toBe(true);
    const results = bugs.results("newleader-txn-loss-n3-zk3.9.5-11");
    expect(verdictOf(results, "leader-completeness").valid).toBe(true);
  });

  it("3.9.5: the follower keeps its outstanding proposals through NEWLEADER; the COMMIT finds its PROPOSAL", async () => {
    const cli = bugs.runBug("commit-during-sync", 5, "3.9.5");
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/absent +ZOOKEEPER-4394 on 3\.9\.5 n=3 seed=5: as expected/);
  });

  it("3.9.5: the follower that lost its leader closes its socket through the learner, no NullPointerException", async () => {
    const cli = bugs.runBug("ack-after-leader-lost", 1, "3.9.5");
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/absent +ZOOKEEPER-4409 on 3\.9\.5 n=3 seed=1: as expected/);
  });

  it("3.9.5: the server restarted on a full log disk comes back once the space is back", async () => {
    const cli = bugs.runBug("empty-log-after-full-disk", 2, "3.9.5");
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/absent +ZOOKEEPER-2332 on 3\.9\.5 n=3 seed=2: as expected/);
  });
});
