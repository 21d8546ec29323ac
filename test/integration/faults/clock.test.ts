import { describe, expect, it } from "vitest";
import { fakeClockUnavailable } from "../../../src/ensemble/local/fake-clock.js";
import { startLocalEnsemble } from "../../../src/ensemble/local/local-ensemble.js";
import { Nemesis } from "../../../src/faults/nemesis.js";
import { HistoryRecorder, MemorySink } from "../../../src/history/recorder.js";
import { loggedAt } from "../../../src/history/server-log.js";
import { ZkSession } from "../../../src/workload/zk-session.js";
import { expectHealedInSync, expectWritable } from "../../helpers/faulty-ensemble.js";
import { expectNothingLeft, freshRuntimeRoot } from "../../helpers/runtime.js";
import { eventually, sessionTo } from "../../helpers/zk.js";

const root = freshRuntimeRoot();
const unavailable = fakeClockUnavailable();
const HOUR_MS = 3_600_000;

/** How far a log line's own time ("2026-12-06 21:20:47,617", local time) is from now, ms. */
function skewOf(line: string): number | undefined {
  const stamp = loggedAt(line);
  if (stamp === undefined) return undefined;
  return new Date(stamp.replace(" ", "T").replace(",", ".")).getTime() - Date.now();
}

describe.skipIf(unavailable !== undefined)(
  `clock: a server's clocks moved by libfaketime in its JVM${unavailable ? ` (skipped: ${unavailable})` : ""}`,
  () => {
    it("the leader's clocks jump an hour: its log says so and its session tracker expires a live session; the heal leaves them ahead and the ensemble in sync; nothing is left", async () => {
      const ensemble = await startLocalEnsemble({ nodes: 3, fakeClock: true, runtimeRoot: root() });
      const lines: { server: number; line: string }[] = [];
      const unsubscribe = ensemble.onServerLog(({ server, line }) => lines.push({ server, line }));
      const events: string[] = [];
      let session: ZkSession | undefined;
      try {
        await expectWritable(ensemble, [1, 2, 3]);
        const leader = (await ensemble.leader()) as number;
        expect(leader).toBeDefined();
        // A client of a follower: its session lives in the leader's session tracker.
        const follower = [1, 2, 3].find((id) => id !== leader) as number;
        session = await ZkSession.open(ensemble.connectString([follower]), {
          sessionTimeoutMs: 4000,
          connectTimeoutMs: 15_000,
          onEvent: (event) => events.push(event),
        });
        await session.create("/clock", "before");
        const history = new MemorySink();
        const nemesis = new Nemesis({
          ensemble,
          seed: 1,
          recorder: new HistoryRecorder([history]),
        });
        const started = await nemesis.start(
          { kind: "clock", target: leader, offset: HOUR_MS },
          "jump",
        );
        expect(started.detail).toMatchObject({
          servers: [leader],
          jumpMs: HOUR_MS,
          offsetMs: HOUR_MS,
        });
        // Every session's deadline passed at once on the leader: it expires them, ours too.
        expect(
          await eventually(async () => events.includes("expired"), 15_000),
          `session events: ${events.join(", ")}`,
        ).toBe(true);
        const expiring = lines.filter(
          (each) => each.server === leader && /Expiring session/.test(each.line),
        );
        expect(expiring.length).toBeGreaterThan(0);
        // The leader wrote those lines an hour ahead; no other server did.
        expect(skewOf(expiring[0]?.line ?? "")).toBeGreaterThan(HOUR_MS - 60_000);
        const othersAhead = lines.filter(
          (each) => each.server !== leader && (skewOf(each.line) ?? 0) > 60_000,
        );
        expect(othersAhead).toEqual([]);
        await nemesis.heal("jump");
        // The heal leaves the clocks where they are: a monotonic clock never goes back.
        const left = history.events.find((event) => event.f === "clock-left");
        expect(left?.value).toMatchObject({ server: leader, offsetMs: HOUR_MS });
        await expectWritable(ensemble, [1, 2, 3]);
        await expectHealedInSync(ensemble);
        // Ahead for good: the leader's lines still carry the jumped time after the heal.
        const healed = lines.length;
        (await sessionTo(ensemble, leader)).close();
        expect(
          await eventually(async () =>
            lines
              .slice(healed)
              .some(
                (each) => each.server === leader && (skewOf(each.line) ?? 0) > HOUR_MS - 60_000,
              ),
          ),
        ).toBe(true);
      } finally {
        session?.close();
        unsubscribe();
        await ensemble.dispose();
      }
      await expectNothingLeft(ensemble, root());
    });
  },
);
