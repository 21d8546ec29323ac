import { describe, expect, it } from "vitest";
import { checkWatches } from "../../../src/checkers/zookeeper/watch-checks.js";
import type { HistoryEvent } from "../../../src/history/event.js";

const ROOT = "/zkchaos/a0";
const WRITER = 0;
const AGENT = 1;
const S = "a1";

/** A literal history of one writer (process 0) and one watching agent (process 1, session a1). */
class H {
  readonly events: HistoryEvent[] = [];
  private t = 0;
  add(event: Omit<HistoryEvent, "index" | "time">): number {
    this.t += 1_000_000;
    this.events.push({ index: this.events.length, time: this.t, ...event } as HistoryEvent);
    return this.events.length - 1;
  }
  /** A topology multi setting (or creating, deleting) `path` under ROOT, acknowledged with `zxid` (or of unknown outcome). */
  write(path: string, zxid: number | "unknown", op = "set", version = 1): number {
    const value = { root: ROOT, ops: [{ op, path, data: "x" }] };
    this.add({ process: WRITER, type: "invoke", f: "set-mac", value });
    return zxid === "unknown"
      ? this.add({ process: WRITER, type: "info", f: "set-mac", value, error: -4 })
      : this.add({
          process: WRITER,
          type: "ok",
          f: "set-mac",
          value: { ...value, created: [undefined], versions: [version] },
          session: "w0",
          zxid: String(zxid),
        });
  }
  /** One multi of several ops under ROOT (all of one zxid), acknowledged with `zxid`. */
  multi(ops: { op: string; path: string }[], zxid: number): number {
    const value = { root: ROOT, ops: ops.map((op) => ({ ...op, data: "x" })) };
    this.add({ process: WRITER, type: "invoke", f: "delete-router", value });
    return this.add({
      process: WRITER,
      type: "ok",
      f: "delete-router",
      value: { ...value, created: ops.map(() => undefined), versions: ops.map(() => undefined) },
      session: "w0",
      zxid: String(zxid),
    });
  }
  /** A watching data read of ROOT/path: the watch is set at `zxid`, on version `mzxid`. */
  watchData(
    path: string,
    mzxid: number,
    zxid: number,
    session = S,
    f = "watch-read",
    version = 0,
  ): number {
    const value = { path: `${ROOT}/${path}`, ...(f === "watch-read" ? { watch: "data" } : {}) };
    this.add({ process: AGENT, type: "invoke", f, value });
    return this.add({
      process: AGENT,
      type: "ok",
      f,
      value: { ...value, data: "x", version, mzxid: String(mzxid) },
      session,
      zxid: String(zxid),
    });
  }
  watchChildren(path: string, children: string[], zxid: number, session = S): number {
    const value = { path: `${ROOT}/${path}`, watch: "children" };
    this.add({ process: AGENT, type: "invoke", f: "watch-read", value });
    return this.add({
      process: AGENT,
      type: "ok",
      f: "watch-read",
      value: { ...value, children, pzxid: "1", cversion: children.length },
      session,
      zxid: String(zxid),
    });
  }
  notify(type: string, path: string, session = S): number {
    return this.add({
      process: `session-${AGENT}`,
      type: "info",
      f: "notify",
      value: { type, path: `${ROOT}/${path}` },
      session,
    });
  }
  session(event: string, session = S): number {
    return this.add({
      process: `session-${AGENT}`,
      type: "info",
      f: "session",
      value: { event },
      session,
    });
  }
  cache(path: string, mzxid: number): number {
    return this.add({
      process: `session-${AGENT}`,
      type: "info",
      f: "cache",
      value: { path: `${ROOT}/${path}`, version: 1, mzxid: String(mzxid) },
      session: S,
    });
  }
  /** The agent's cache at the end, and the final tree (relative to /zkchaos), both as path -> mzxid. */
  end(cache: Record<string, number>, final: Record<string, number>, settled = true): number {
    const nodes = (tree: Record<string, number>, prefix: string) =>
      Object.fromEntries(
        Object.entries(tree).map(([path, mzxid]) => [`${prefix}${path}`, ["x", 1, String(mzxid)]]),
      );
    const end = this.add({
      process: `session-${AGENT}`,
      type: "info",
      f: "watch-end",
      value: {
        root: ROOT,
        mode: "one-time",
        settled,
        connected: settled,
        nodes: nodes(cache, `${ROOT}/`),
      },
      session: S,
    });
    this.add({
      process: "observer",
      type: "invoke",
      f: "final-read",
      server: 1,
      value: { root: "/zkchaos" },
    });
    this.add({
      process: "observer",
      type: "ok",
      f: "final-read",
      server: 1,
      value: { root: "/zkchaos", nodes: nodes(final, "a0/") },
    });
    return end;
  }
}

const kinds = (h: H) => checkWatches(h.events).anomalies.map((anomaly) => anomaly.kind);

describe("the watch checker", () => {
  it("accepts an event before the data, one per watch, and a cache that converges; it names the change that fired each event", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    const write = h.write("b1", 12);
    const notify = h.notify("NodeDataChanged", "b1");
    h.watchData("b1", 12, 13);
    h.cache("b1", 12);
    h.end({ b1: 12 }, { b1: 12 });
    const found = checkWatches(h.events);
    expect(found.anomalies).toEqual([]);
    expect(found.triggered).toHaveLength(1);
    expect(found.triggered[0]?.event).toBe(notify);
    expect(found.triggered[0]?.change.event).toBe(write);
    expect(found.agentsConverged).toBe(1);
  });

  it("catches a read that sees new data before the watch event, naming the watch and the read", () => {
    const h = new H();
    const set = h.watchData("b1", 5, 10);
    h.write("b1", 12);
    const probe = h.watchData("b1", 12, 12, S, "watch-probe");
    h.notify("NodeDataChanged", "b1");
    const found = checkWatches(h.events).anomalies;
    expect(found.map((anomaly) => anomaly.kind)).toEqual(["data-before-watch-event"]);
    expect(found[0]?.events).toEqual([set, probe - 1, probe]);
  });

  it("catches a children read that shows a new child before the child event", () => {
    const h = new H();
    h.watchChildren("bridges", [], 10);
    h.write("bridges/b2", 12, "create");
    h.watchChildren("bridges", ["b2"], 12);
    expect(kinds(h)).toContain("data-before-watch-event");
  });

  it("catches events out of the order of their changes, with both changes and both events", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.watchData("b2", 5, 10);
    const first = h.write("b1", 12);
    const second = h.write("b2", 13);
    const late = h.notify("NodeDataChanged", "b2");
    const early = h.notify("NodeDataChanged", "b1");
    const found = checkWatches(h.events).anomalies;
    expect(found.map((anomaly) => anomaly.kind)).toEqual(["watch-events-out-of-order"]);
    expect(found[0]?.events).toEqual([first, second, late, early]);
  });

  /** An agent watching b1 and b2 whose session is away while both change (0x12, then 0x13). */
  const watchersAwayForTwoWrites = (): H => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.watchData("b2", 5, 10);
    h.session("disconnected");
    h.write("b1", 12);
    h.write("b2", 13);
    return h;
  };

  it("lets a reconnect's catch-up events (SetWatches) come in any order, until the first reply", () => {
    const h = watchersAwayForTwoWrites();
    h.session("connected");
    h.notify("NodeDataChanged", "b2");
    h.notify("NodeDataChanged", "b1");
    expect(kinds(h)).toEqual([]);
  });

  it("keeps excusing the catch-up past the reply to a read made while disconnected (sent before SetWatches)", () => {
    const h = watchersAwayForTwoWrites();
    const value = { path: `${ROOT}/b3` };
    h.add({ process: AGENT, type: "invoke", f: "watch-probe", value });
    h.session("connected");
    h.add({
      process: AGENT,
      type: "ok",
      f: "watch-probe",
      value: { ...value, data: "x", version: 0, mzxid: "5" },
      session: S,
      zxid: "13",
    });
    h.notify("NodeDataChanged", "b2");
    h.notify("NodeDataChanged", "b1");
    expect(kinds(h)).toEqual([]);
    // A reply to a request made after the reconnect ends it: disorder from then on is caught.
    h.watchData("b1", 12, 13);
    h.watchData("b2", 13, 13);
    h.write("b1", 14);
    h.write("b2", 15);
    h.notify("NodeDataChanged", "b2");
    h.notify("NodeDataChanged", "b1");
    expect(kinds(h)).toEqual(["watch-events-out-of-order"]);
  });

  it("ties a NodeDeleted that ends a child watch to the delete, not to an earlier set of the znode's data", () => {
    // As in a CI run on 3.8.0: the set of p7 fired its data watch; one multi then deleted p5 and
    // p7, and the NodeDeleted of p7 ended its child watch, set before that set.
    const h = new H();
    h.watchData("p5", 5, 10, S, "watch-read", 1);
    h.watchData("p7", 5, 10, S, "watch-read", 1);
    h.watchChildren("p7", [], 10);
    const set = h.write("p7", 12, "set", 2);
    h.notify("NodeDataChanged", "p7");
    const gone = h.multi(
      [
        { op: "delete", path: "p5" },
        { op: "delete", path: "p7" },
      ],
      13,
    );
    h.notify("NodeDeleted", "p5");
    h.notify("NodeDeleted", "p7");
    const found = checkWatches(h.events);
    expect(found.anomalies).toEqual([]);
    expect(found.triggered.map((each) => each.change.event)).toEqual([set, gone, gone]);
  });

  it("does not guess the change behind an event when a write of unknown outcome touched its znode", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.watchData("b2", 5, 10);
    h.write("b1", "unknown");
    h.write("b2", 13);
    h.notify("NodeDataChanged", "b2");
    h.notify("NodeDataChanged", "b1");
    const found = checkWatches(h.events);
    expect(found.anomalies).toEqual([]);
    expect(found.triggered).toHaveLength(1);
  });

  it("ties a data event to the set that made the next version, though a write of unknown outcome touched the znode", () => {
    const h = new H();
    h.write("b1", "unknown");
    h.watchData("b1", 5, 10, S, "watch-read", 3);
    h.watchData("b2", 5, 10);
    h.write("b2", 11);
    const b1 = h.write("b1", 12, "set", 4);
    h.notify("NodeDataChanged", "b1");
    h.notify("NodeDataChanged", "b2");
    const found = checkWatches(h.events);
    expect(found.triggered.map((each) => each.change.event)).toContain(b1);
    expect(found.anomalies.map((anomaly) => anomaly.kind)).toEqual(["watch-events-out-of-order"]);
  });

  it("catches a one-time watch that fires twice", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.write("b1", 12);
    h.notify("NodeDataChanged", "b1");
    const again = h.notify("NodeDataChanged", "b1");
    const found = checkWatches(h.events).anomalies;
    expect(found.map((anomaly) => anomaly.kind)).toEqual(["watch-fired-twice"]);
    expect(found[0]?.events).toEqual([again]);
  });

  it("counts a delete as firing both the data and the child watch of its znode, once", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.watchChildren("b1", [], 10);
    h.write("b1", 12, "delete");
    h.notify("NodeDeleted", "b1");
    expect(kinds(h)).toEqual([]);
    h.notify("NodeDeleted", "b1");
    expect(kinds(h)).toEqual(["watch-fired-twice"]);
  });

  it("takes the two NodeDeleted a reconnect's SetWatches sends for a deleted znode's data and child watches as one each, and a third as a second firing", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.watchChildren("b1", [], 10);
    h.session("disconnected");
    h.write("b1", 12, "delete");
    h.session("connected");
    h.notify("NodeDeleted", "b1");
    h.notify("NodeDeleted", "b1");
    expect(kinds(h)).toEqual([]);
    h.notify("NodeDeleted", "b1");
    expect(kinds(h)).toEqual(["watch-fired-twice"]);
  });

  it("does not excuse a second NodeDeleted after a reconnect when only one watch kind was set", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.session("connected");
    h.write("b1", 12, "delete");
    h.notify("NodeDeleted", "b1");
    h.notify("NodeDeleted", "b1");
    expect(kinds(h)).toEqual(["watch-fired-twice"]);
  });

  it("catches a missed event (the session lived on) and the stale cache it leaves, naming the watch, the change and the end", () => {
    const h = new H();
    const set = h.watchData("b1", 5, 10);
    h.cache("b1", 5);
    const change = h.write("b1", 12);
    const end = h.end({ b1: 5 }, { b1: 12 });
    const found = checkWatches(h.events).anomalies;
    expect(found.map((anomaly) => anomaly.kind)).toEqual([
      "missed-watch-event",
      "stale-watch-cache",
    ]);
    expect(found[0]?.events).toEqual([set, change, end]);
    expect(found[1]?.events).toContain(change);
    expect(found[1]?.message).toContain(`${ROOT}/b1 (cache 0x0:0x5, final 0x0:0xc)`);
  });

  it("judges neither missed events nor the cache of an agent that never settled", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.write("b1", 12);
    h.end({ b1: 5 }, { b1: 12 }, false);
    const found = checkWatches(h.events);
    expect(found.anomalies).toEqual([]);
    expect(found.agentsUnsettled).toBe(1);
  });

  it("catches an event after the session expired", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    h.session("expired");
    h.write("b1", 12);
    const late = h.notify("NodeDataChanged", "b1");
    const found = checkWatches(h.events).anomalies;
    expect(found.map((anomaly) => anomaly.kind)).toEqual(["watch-event-after-expiry"]);
    expect(found[0]?.events).toEqual([late]);
  });

  it("catches a cache entry no read of the session returned", () => {
    const h = new H();
    h.watchData("b1", 5, 10);
    const cached = h.cache("b1", 12);
    const found = checkWatches(h.events).anomalies;
    expect(found.map((anomaly) => anomaly.kind)).toEqual(["cache-newer-than-reads"]);
    expect(found[0]?.events).toEqual([cached]);
  });

  it("holds a persistent recursive watch to one event per change below its root", () => {
    const build = (events: number) => {
      const h = new H();
      h.add({ process: AGENT, type: "invoke", f: "add-watch", value: { path: ROOT } });
      h.add({
        process: AGENT,
        type: "ok",
        f: "add-watch",
        value: { path: ROOT },
        session: S,
        zxid: "10",
      });
      h.write("b1", 12);
      h.write("b1", 14);
      for (let count = 0; count < events; count++) h.notify("NodeDataChanged", "b1");
      h.end({}, {});
      return h;
    };
    expect(kinds(build(2))).toEqual([]);
    expect(kinds(build(1))).toEqual(["missed-watch-event"]);
  });
});
