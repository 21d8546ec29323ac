import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AvailabilityWindow } from "../../../src/checkers/availability.js";
import { readHistoryFile } from "../../../src/history/reader.js";
import { checkScenarioRun, freshRuntimeRoot } from "../../helpers/runtime.js";

const root = freshRuntimeRoot();

describe("observers: servers that serve clients but never vote", () => {
  it("3 voters + 2 observers: the observers' loss leaves a quorum, two voters' loss stops every write though 3 servers run", async () => {
    await checkScenarioRun(
      root(),
      "scenarios/membership/observers.yaml",
      5,
      3,
      async (run, dir) => {
        expect(
          run.valid,
          JSON.stringify(run.verdicts.flatMap((v) => v.anomalies).slice(0, 3)),
        ).toBe(true);

        // The servers themselves say who observes.
        for (const id of [4, 5])
          expect(readFileSync(join(dir, "logs", `server-${id}.log`), "utf8")).toMatch(/OBSERVING/);
        for (const id of [1, 2, 3])
          expect(readFileSync(join(dir, "logs", `server-${id}.log`), "utf8")).not.toMatch(
            /OBSERVING/,
          );
        const events = await readHistoryFile(join(dir, "history.jsonl"));
        const hits = (id: string) =>
          (
            events.find(
              (event) =>
                event.type === "info" &&
                event.f === "kill" &&
                (event.value as { id?: string }).id === id,
            )?.value as { servers?: number[] } | undefined
          )?.servers?.sort();
        expect(hits("f1")).toEqual([4, 5]);
        expect(hits("f2")?.every((server) => server <= 3)).toBe(true);
        expect(hits("f2")).toHaveLength(2);
        const connectivity = events.find((event) => event.f === "connectivity");
        expect((connectivity?.value as { observers?: number[] } | undefined)?.observers).toEqual([
          4, 5,
        ]);
        const windows = run.verdicts.find((verdict) => verdict.checker === "availability")?.stats
          ?.windows as AvailabilityWindow[];
        const observersDown = windows.find((w) => w.down.join() === "4,5");
        expect(observersDown).toMatchObject({ expectedAvailable: true });
        expect(observersDown?.succeeded).toBeGreaterThan(0);
        const votersDown = windows.find((w) => w.down.length === 2 && w.down.every((s) => s <= 3));
        expect(votersDown).toMatchObject({ expectedAvailable: false, mayServe: [] });
      },
    );
  });
});
