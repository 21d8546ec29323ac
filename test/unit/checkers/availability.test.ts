import { describe, expect, it } from "vitest";
import { checkAvailability, electionGraceMs } from "../../../src/checkers/availability.js";
import type { HistoryEvent } from "../../../src/history/event.js";
import type { ConnectivityView } from "../../../src/quorum/connectivity.js";

const SETTINGS = { tickTime: 200, initLimit: 10, syncLimit: 5, sessionTimeoutMs: 4000 };
const GRACE_NS = electionGraceMs(SETTINGS) * 1e6;
const S = 1e9;

/** A literal history builder: connectivity changes and operations at given seconds. */
class Timeline {
  readonly events: HistoryEvent[] = [];
  constructor(readonly n: number) {}
  private push(event: Omit<HistoryEvent, "index">): number {
    this.events.push({ index: this.events.length, ...event } as HistoryEvent);
    return this.events.length - 1;
  }
  view(
    atSeconds: number,
    down: number[],
    blocked: [number, number][] = [],
    slow: number[] = [],
  ): this {
    const servers = Array.from({ length: this.n }, (_, i) => i + 1);
    const value: ConnectivityView = {
      servers,
      conditions: Object.fromEntries(
        servers.map((id) => [id, down.includes(id) ? "down" : slow.includes(id) ? "slow" : "up"]),
      ),
      blocked,
      clientsBlocked: [],
    };
    this.push({ time: atSeconds * S, process: "nemesis", type: "info", f: "connectivity", value });
    return this;
  }
  op(
    process: number,
    f: string,
    server: number,
    from: number,
    to: number,
    type: "ok" | "fail" | "info",
    value: unknown = { key: 0 },
  ): number[] {
    const a = this.push({ time: from * S, process, type: "invoke", f, value });
    const b = this.push({ time: to * S, process, type, f, value, server });
    return [a, b];
  }
}

const cut = (group: number[], rest: number[]): [number, number][] =>
  group.flatMap((a) =>
    rest.flatMap((b) => [[a, b] as [number, number], [b, a] as [number, number]]),
  );

describe("availability against quorum math, on literal timelines", () => {
  it("derives the election grace from the settings", () => {
    expect(electionGraceMs(SETTINGS)).toBe(15 * 200 + 2000 + 4000);
  });

  it.each([
    [1, 0],
    [3, 1],
    [5, 2],
    [7, 3],
    [4, 1],
  ])("%i servers, kill f=%i: the survivors may acknowledge writes", (n, f) => {
    const t = new Timeline(n).view(0, []).view(
      10,
      Array.from({ length: f }, (_, i) => i + 1),
    );
    if (f < n) t.op(1, "write", n, 11, 11.1, "ok");
    const verdict = checkAvailability(t.events, SETTINGS);
    expect(verdict.valid).toBe(true);
  });

  it.each([
    [1, 1],
    [3, 2],
    [5, 3],
    [7, 4],
    [4, 2],
  ])("%i servers, kill f+1=%i: a write acknowledged by a survivor is split brain", (n, k) => {
    const t = new Timeline(n).view(0, []).view(
      10,
      Array.from({ length: k }, (_, i) => i + 1),
    );
    const split = k < n ? t.op(1, "write", n, 11, 11.1, "ok") : [];
    const verdict = checkAvailability(t.events, SETTINGS);
    const windows = (verdict.stats?.windows ?? []) as { expectedAvailable: boolean }[];
    expect(windows.at(-1)?.expectedAvailable).toBe(false);
    if (k < n) {
      expect(verdict.valid).toBe(false);
      expect(verdict.anomalies[0]).toMatchObject({ kind: "write-outside-quorum", events: split });
    }
  });

  it("isolated leader of 5: its late write is split brain; the majority must serve after the grace", () => {
    const t = new Timeline(5).view(0, []).view(10, [], cut([5], [1, 2, 3, 4]));
    const early = t.op(1, "write", 1, 10.5, 10.6, "info"); // inside the grace: allowed to fail
    const split = t.op(2, "write", 5, 11, 11.2, "ok");
    const late = t.op(3, "write", 2, 10 + GRACE_NS / S + 1, 10 + GRACE_NS / S + 2, "info");
    const read = t.op(4, "read", 5, 12, 12.1, "ok"); // a stale read on the minority is not split brain
    const verdict = checkAvailability(t.events, SETTINGS);
    expect(verdict.valid).toBe(false);
    const kinds = verdict.anomalies.map((a) => `${a.kind} ${a.events.join(",")}`);
    expect(kinds).toEqual([
      `write-outside-quorum ${split.join(",")}`,
      `unavailable-inside-quorum ${late.join(",")}`,
    ]);
    expect(kinds.join()).not.toContain(early.join(","));
    expect(read).toHaveLength(2);
    expect(verdict.stats?.readsOutsideQuorum).toBe(1);
  });

  it("transactions: a multi acknowledged on the minority is split brain, a read-only one (getData, multiRead) is a read", () => {
    const t = new Timeline(3).view(0, []).view(10, [], cut([3], [1, 2]));
    const read = {
      mops: [
        { f: "r", key: "t0", value: null },
        { f: "r", key: "t1", value: null },
      ],
    };
    t.op(1, "txn", 3, 11, 11.1, "ok", read);
    const multi = t.op(2, "txn", 3, 11.5, 11.6, "ok", { mops: [{ f: "w", key: "t0", value: 7 }] });
    const verdict = checkAvailability(t.events, SETTINGS);
    expect(verdict.anomalies.map((a) => `${a.kind} ${a.events.join(",")}`)).toEqual([
      `write-outside-quorum ${multi.join(",")}`,
    ]);
    expect(verdict.stats?.readsOutsideQuorum).toBe(1);
  });

  it("bridge of 5 (3 sees everyone): writes on either side may be fine; nobody must serve", () => {
    const blocked = cut([1, 2], [4, 5]);
    const t = new Timeline(5).view(0, []).view(10, [], blocked);
    t.op(1, "write", 1, 11, 11.1, "ok");
    t.op(2, "write", 4, 11, 11.1, "ok");
    const verdict = checkAvailability(t.events, SETTINGS);
    const windows = verdict.stats?.windows as { mayServe: number[]; mustServe: number[] }[];
    expect(windows.at(-1)?.mayServe).toEqual([1, 2, 3, 4, 5]);
    expect(windows.at(-1)?.mustServe).toEqual([3]);
    expect(verdict.valid).toBe(true);
  });

  it("majorities ring of 5: each may serve; a write with every link of its server cut is split brain", () => {
    // Ring 1-2-3-4-5-1: each keeps its two neighbours.
    const far = (a: number, b: number) => Math.min(Math.abs(a - b), 5 - Math.abs(a - b)) > 1;
    const blocked: [number, number][] = [];
    for (let a = 1; a <= 5; a++)
      for (let b = 1; b <= 5; b++) if (a !== b && far(a, b)) blocked.push([a, b]);
    const ring = new Timeline(5).view(0, []).view(10, [], blocked);
    ring.op(1, "write", 2, 11, 11.1, "ok");
    expect(checkAvailability(ring.events, SETTINGS).valid).toBe(true);
    const island = new Timeline(5).view(0, []).view(10, [], cut([2], [1, 3, 4, 5]));
    const split = island.op(1, "write", 2, 11, 11.1, "ok");
    expect(checkAvailability(island.events, SETTINGS).anomalies.map((a) => a.events)).toEqual([
      split,
    ]);
  });

  it("reports per window: expected vs observed, first success and the longest gap", () => {
    const t = new Timeline(3).view(0, []).view(10, [1, 2]).view(20, []);
    t.op(1, "write", 3, 1, 1.1, "ok");
    t.op(1, "write", 3, 12, 13, "fail");
    t.op(1, "write", 3, 21, 21.5, "ok");
    const verdict = checkAvailability(t.events, SETTINGS);
    const windows = verdict.stats?.windows as {
      expectedAvailable: boolean;
      succeeded: number;
      firstSuccessMs?: number;
    }[];
    expect(windows.map((w) => w.expectedAvailable)).toEqual([true, false, true]);
    expect(windows.map((w) => w.succeeded)).toEqual([1, 0, 1]);
    expect(windows[2]?.firstSuccessMs).toBe(1500);
    expect(verdict.valid).toBe(true);
  });
});

describe("a starved server (condition slow)", () => {
  it("still votes: with one of three starved and one down, a write by a survivor is no split brain", () => {
    const t = new Timeline(3).view(0, []).view(10, [1], [], [2]);
    t.op(1, "write", 3, 11, 11.1, "ok");
    expect(checkAvailability(t.events, SETTINGS).valid).toBe(true);
  });

  it("promises no service in time while it is starved, and again after the grace once it is fed", () => {
    const starved = new Timeline(3).view(0, []).view(10, [], [], [1]);
    starved.op(1, "write", 2, 30, 31, "info");
    expect(checkAvailability(starved.events, SETTINGS).valid).toBe(true);
    const fed = new Timeline(3).view(0, []).view(10, [], [], [1]).view(12, []);
    const lost = fed.op(1, "write", 2, 30, 31, "info");
    const verdict = checkAvailability(fed.events, SETTINGS);
    expect(verdict.valid).toBe(false);
    expect(verdict.anomalies[0]?.events).toEqual(lost);
  });
});
