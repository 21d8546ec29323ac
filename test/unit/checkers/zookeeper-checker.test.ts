import { describe, expect, it } from "vitest";
import { checkZooKeeper } from "../../../src/checkers/zookeeper/zookeeper-checker.js";
import type { HistoryEvent } from "../../../src/history/event.js";

/** A literal history: each call appends events with increasing times. */
class H {
  readonly events: HistoryEvent[] = [];
  private t = 0;
  add(event: Omit<HistoryEvent, "index" | "time">, at?: number): number {
    this.t = at ?? this.t + 10;
    this.events.push({ index: this.events.length, time: this.t, ...event } as HistoryEvent);
    return this.events.length - 1;
  }
  write(
    p: number,
    key: number,
    value: number,
    version: number,
    zxid: number,
    session = `s${p}`,
  ): number[] {
    return [
      this.add({ process: p, type: "invoke", f: "write", value: { key, value } }),
      this.add({
        process: p,
        type: "ok",
        f: "write",
        value: { key, value },
        session,
        stat: { czxid: "1", mzxid: String(zxid), version },
      }),
    ];
  }
  read(
    p: number,
    key: number,
    value: number | null,
    version: number,
    zxid: number,
    session = `s${p}`,
  ): number[] {
    return [
      this.add({ process: p, type: "invoke", f: "read", value: { key, value: null } }),
      this.add({
        process: p,
        type: "ok",
        f: "read",
        value: { key, value },
        session,
        stat: { czxid: "1", mzxid: String(zxid), version },
      }),
    ];
  }
  final(server: number, nodes: Record<string, [string, number, string]>): number {
    this.add({
      process: "observer",
      type: "invoke",
      f: "final-read",
      server,
      value: { root: "/registers" },
    });
    return this.add({
      process: "observer",
      type: "ok",
      f: "final-read",
      server,
      value: { root: "/registers", nodes },
    });
  }
}

const registers = (h: H) =>
  checkZooKeeper(h.events).find((v) => v.checker === "zookeeper-registers");
const kinds = (h: H) => registers(h)?.anomalies.map((a) => a.kind) ?? [];

describe("the ZooKeeper-aware checker on literal histories", () => {
  it("accepts a correct history, counting a stale read across sessions without blaming it", () => {
    const h = new H();
    h.write(1, 0, 10, 1, 101);
    h.write(1, 0, 11, 2, 102);
    h.read(2, 0, 10, 1, 101); // another session, behind: allowed
    h.read(2, 0, 11, 2, 102);
    h.final(1, { r0: ["11", 2, "102"] });
    const verdict = registers(h);
    expect(verdict?.valid).toBe(true);
    expect(verdict?.stats?.staleReads).toBe(1);
  });

  it("runs the general linearizability search only when asked", () => {
    const h = new H();
    h.write(1, 0, 10, 1, 101);
    h.read(2, 0, 10, 1, 101);
    h.final(1, { r0: ["10", 1, "101"] });
    const names = (general?: boolean) =>
      checkZooKeeper(h.events, general === undefined ? {} : { general }).map(
        (verdict) => verdict.checker,
      );
    expect(names()).toContain("register-linearizability");
    expect(names(true)).toContain("register-linearizability");
    expect(names(false)).not.toContain("register-linearizability");
    expect(names(false)).toContain("zookeeper-registers");
  });

  it("finds a lost write in the final state", () => {
    const h = new H();
    h.write(1, 0, 10, 1, 101);
    const lost = h.write(1, 0, 11, 2, 102);
    const final = h.final(2, { r0: ["10", 1, "101"] });
    const anomaly = registers(h)?.anomalies.find((a) => a.kind === "lost-write");
    expect(anomaly?.events).toEqual([...lost, final]);
  });

  it("finds a session going back, a duplicated version, a value never written, a zxid against real time", () => {
    const back = new H();
    back.read(1, 0, 11, 2, 102);
    back.read(1, 0, 10, 1, 101);
    expect(kinds(back)).toContain("session-went-backwards");

    const duplicate = new H();
    duplicate.write(1, 0, 10, 1, 101);
    duplicate.write(2, 0, 11, 1, 102);
    expect(kinds(duplicate)).toEqual(
      expect.arrayContaining(["duplicate-version", "version-value-conflict"]),
    );

    const phantom = new H();
    phantom.read(1, 0, 77, 1, 101);
    expect(kinds(phantom)).toContain("value-never-written");

    const inverted = new H();
    inverted.write(1, 0, 10, 1, 105);
    inverted.write(2, 1, 20, 1, 104);
    expect(kinds(inverted)).toContain("realtime-zxid-inversion");
  });

  it("treats an unknown write as possibly applied: its value may be read, and it is resolved", () => {
    const h = new H();
    h.add({ process: 1, type: "invoke", f: "write", value: { key: 0, value: 10 } });
    h.add({ process: 1, type: "info", f: "write", value: { key: 0, value: 10 }, error: "TIMEOUT" });
    h.read(2, 0, 10, 1, 101);
    const verdict = registers(h);
    expect(verdict?.valid).toBe(true);
    expect(verdict?.stats).toMatchObject({
      indeterminateWrites: 1,
      resolvedApplied: 1,
      unresolved: 0,
    });
    expect(
      checkZooKeeper(h.events).find((v) => v.checker === "register-linearizability")?.valid,
    ).toBe(true);
  });

  it("checks topology snapshots, sequential names, convergence and leaders", () => {
    const h = new H();
    const snapshot = (nodes: Record<string, [string, number, string]>) => {
      h.add({ process: 3, type: "invoke", f: "read-subtree", value: { root: "/z/a3" } });
      return h.add({
        process: 3,
        type: "ok",
        f: "read-subtree",
        value: { root: "/z/a3", consistent: true, nodes },
        session: "s3",
      });
    };
    const broken = snapshot({
      "ports/p1": [
        JSON.stringify({ kind: "port", device: "bridges/b9", peer: null, w: "3-1" }),
        0,
        "5",
      ],
    });
    for (const sequence of [7, 7]) {
      h.add({ process: 4, type: "invoke", f: "append-log", value: {} });
      h.add({
        process: 4,
        type: "ok",
        f: "append-log",
        value: { root: "/z/a4", created: [`log/entry-${String(sequence).padStart(10, "0")}`] },
      });
    }
    h.final(1, { a: ["x", 1, "9"] });
    h.final(2, { a: ["y", 1, "9"] });
    h.add({
      process: "observer",
      type: "ok",
      f: "status",
      value: { statuses: { 1: { mode: "leader", epoch: 3 }, 2: { mode: "leader", epoch: 3 } } },
    });
    const verdicts = Object.fromEntries(checkZooKeeper(h.events).map((v) => [v.checker, v]));
    expect(verdicts["topology-snapshots"]?.anomalies[0]).toMatchObject({
      kind: "topology-port-device-exists",
      events: [broken - 1, broken],
    });
    expect(verdicts["sequential-znodes"]?.anomalies.map((a) => a.kind)).toEqual(
      expect.arrayContaining(["sequential-duplicate", "sequential-not-increasing"]),
    );
    expect(verdicts.convergence?.anomalies[0]?.kind).toBe("divergent-final-state");
    expect(verdicts["one-leader-per-epoch"]?.anomalies[0]?.message).toMatch(
      /servers 1 and 2 both reported themselves leader of epoch 3/,
    );
  });

  it("finds a registration that outlived its expired session", () => {
    const h = new H();
    const data = JSON.stringify({ w: "5-9" });
    h.add({
      process: 5,
      type: "invoke",
      f: "register-host",
      value: { root: "/z/a5", ops: [{ op: "create", path: "hosts/h5/alive", data }] },
    });
    h.add({ process: 5, type: "ok", f: "register-host", value: {}, session: "old" });
    h.add(
      {
        process: "session-5",
        type: "info",
        f: "session",
        value: { event: "expired" },
        session: "old",
      },
      1e9,
    );
    h.add({ process: 5, type: "invoke", f: "read-subtree", value: {} }, 20e9);
    h.add({
      process: 5,
      type: "ok",
      f: "read-subtree",
      value: { root: "/z/a5", consistent: true, nodes: { "hosts/h5/alive": [data, 0, "7"] } },
      session: "new",
    });
    const verdict = checkZooKeeper(h.events, { sessionTimeoutMs: 4000 }).find(
      (v) => v.checker === "ephemeral-registrations",
    );
    expect(verdict?.anomalies.map((a) => a.kind)).toEqual(["ephemeral-outlived-session"]);
  });
});
