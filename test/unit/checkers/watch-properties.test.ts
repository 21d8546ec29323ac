import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkWatches } from "../../../src/checkers/zookeeper/watch-checks.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import { syntheticWatchHistory } from "../../../src/testing/synthetic-watch-history.js";

const renumber = (events: HistoryEvent[]) => events.map((event, index) => ({ ...event, index }));
const base = syntheticWatchHistory({ agents: 2, paths: 4, changes: 60, seed: 3 });
const notifies = base.filter((event) => event.f === "notify").map((event) => event.index);

describe("watch checker properties on synthetic histories", () => {
  it("a correct history is valid, and every event is tied to the change that fired it", () => {
    const found = checkWatches(base);
    expect(found.anomalies).toEqual([]);
    expect(found.triggered).toHaveLength(notifies.length);
  });

  it("dropping any one notification is caught", () => {
    fc.assert(
      fc.property(fc.constantFrom(...notifies), (dropped) => {
        const events = renumber(base.filter((event) => event.index !== dropped));
        expect(checkWatches(events).anomalies.length).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });

  it("moving any notification behind a later one of its session, for another path, is caught", () => {
    fc.assert(
      fc.property(fc.constantFrom(...notifies), (moved) => {
        const event = base[moved] as HistoryEvent;
        const path = (event.value as { path: string }).path;
        const later = notifies.find(
          (index) =>
            index > moved &&
            base[index]?.session === event.session &&
            ((base[index] as HistoryEvent).value as { path: string }).path !== path,
        );
        fc.pre(later !== undefined);
        const events = base.filter((each) => each.index !== moved);
        events.splice(events.findIndex((each) => each.index === later) + 1, 0, event);
        expect(checkWatches(renumber(events)).anomalies.length).toBeGreaterThan(0);
      }),
      { numRuns: 40 },
    );
  });
});
