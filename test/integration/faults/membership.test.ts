import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AvailabilityWindow } from "../../../src/checkers/availability.js";
import { readHistoryFile } from "../../../src/history/reader.js";
import { checkScenarioRun, freshRuntimeRoot } from "../../helpers/runtime.js";

const root = freshRuntimeRoot();

describe("membership changes: dynamic reconfiguration under load", () => {
  it("3 servers grow to 5 (a follower killed during a join) and lose their leader by a reconfig: valid, and the oracle follows the members", async () => {
    await checkScenarioRun(
      root(),
      "scenarios/membership/grow-and-shrink.yaml",
      5,
      4,
      async (run, dir) => {
        expect(
          run.valid,
          JSON.stringify(run.verdicts.flatMap((verdict) => verdict.anomalies).slice(0, 3)),
        ).toBe(true);

        const events = await readHistoryFile(join(dir, "history.jsonl"));
        const detail = (id: string) =>
          events.find(
            (event) =>
              event.process === "nemesis" &&
              event.type === "info" &&
              (event.value as { id?: string }).id === id &&
              event.f !== "heal",
          )?.value as { servers?: number[]; members?: number[] } | undefined;
        expect(detail("f1")).toMatchObject({ servers: [4], members: [1, 2, 3, 4] });
        expect(detail("f3")).toMatchObject({ servers: [5], members: [1, 2, 3, 4, 5] });
        const left = detail("f4")?.servers?.[0] as number;
        expect(detail("f4")?.members).toEqual([1, 2, 3, 4, 5].filter((id) => id !== left));
        // Every server's config was rewritten by the leader, and the joiners took part.
        for (const id of [4, 5])
          expect(readFileSync(join(dir, "logs", `server-${id}.log`), "utf8")).toMatch(
            /FOLLOWING|LEADING/,
          );
        // The oracle's members follow the reconfigs: 3, then 4, then 5, then 4 voters.
        const memberCounts = events
          .filter((event) => event.f === "connectivity")
          .map((event) => (event.value as { servers: number[] }).servers.length);
        expect(memberCounts.filter((count, at) => count !== memberCounts[at - 1])).toEqual([
          3, 4, 5, 4,
        ]);
        const windows = run.verdicts.find((verdict) => verdict.checker === "availability")?.stats
          ?.windows as AvailabilityWindow[];
        expect(windows.at(-1)?.mustServe).toEqual([1, 2, 3, 4, 5].filter((id) => id !== left));
        expect(windows.every((window) => window.expectedAvailable)).toBe(true);
      },
    );
  });
});
