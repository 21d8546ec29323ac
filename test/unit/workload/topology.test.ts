import { describe, expect, it } from "vitest";
import { topologyViolations } from "../../../src/topology/invariants.js";
import { topologyCommandChunk } from "../../../src/workload/topology/commands.js";
import { TopologyModel } from "../../../src/workload/topology/model.js";

const port = (device: string, peer: string | null) =>
  JSON.stringify({ kind: "port", device, peer, w: "1-1" });
const GOOD = new Map([
  ["hosts/h1", JSON.stringify({ kind: "host", ip: "10.1.0.1", w: "1-1" })],
  ["bridges/b1", JSON.stringify({ kind: "bridge", w: "1-2" })],
  ["routers/r2", JSON.stringify({ kind: "router", w: "1-3" })],
  ["ports/p3", port("bridges/b1", "p4")],
  ["ports/p4", port("routers/r2", "p3")],
  ["ports/p5", port("bridges/b1", null)],
  ["bindings/p5", JSON.stringify({ host: "h1", vm: "vm-1", w: "1-9" })],
]);

describe("topology invariants on literal snapshots", () => {
  it("accept a consistent topology", () => {
    expect(topologyViolations(GOOD)).toEqual([]);
  });

  it("catch a one-sided link", () => {
    const broken = new Map(GOOD).set("ports/p4", port("routers/r2", null));
    expect(topologyViolations(broken)).toEqual([
      {
        invariant: "link-symmetric",
        path: "ports/p3",
        detail: "peer ports/p4 names no peer, not ports/p3",
      },
    ]);
  });

  it("catch a port whose device is gone (a device deleted without its ports)", () => {
    const broken = new Map(GOOD);
    broken.delete("routers/r2");
    expect(topologyViolations(broken).map((v) => v.invariant)).toEqual(["port-device-exists"]);
  });

  it("catch a link to a missing port and bindings to missing ports or hosts", () => {
    const broken = new Map(GOOD);
    broken.delete("ports/p4");
    broken.delete("hosts/h1");
    broken.set("bindings/p9", JSON.stringify({ host: "h1", vm: "vm-2", w: "1-10" }));
    expect(
      topologyViolations(broken)
        .map((v) => `${v.invariant} ${v.path}`)
        .sort(),
    ).toEqual([
      "binding-host-exists bindings/p5",
      "binding-host-exists bindings/p9",
      "binding-port-exists bindings/p9",
      "link-symmetric ports/p3",
    ]);
  });
});

describe("topology command generation", () => {
  it("is a pure function of the seed, worker and chunk", () => {
    const first = topologyCommandChunk(42, 3, 0).map(String);
    expect(topologyCommandChunk(42, 3, 0).map(String)).toEqual(first);
    expect(topologyCommandChunk(43, 3, 0).map(String)).not.toEqual(first);
    expect(topologyCommandChunk(42, 4, 0).map(String)).not.toEqual(first);
    expect(first.length).toBeGreaterThan(10);
  });

  it("only lets commands run whose preconditions hold in the model", () => {
    const model = new TopologyModel();
    const context = { model, host: "h1", writeId: () => "1-1" };
    const allowed = new Set(
      topologyCommandChunk(7, 1, 0)
        .filter((command) => command.check(context))
        .map((command) => String(command).replace(/\(.*/, "")),
    );
    // Nothing exists yet: only creations, the log and reads make sense.
    expect([...allowed].sort()).toEqual([
      "AppendLog",
      "CreateBridge",
      "CreateRouter",
      "ReadSubtree",
    ]);
    model.apply(
      [
        { op: "create", path: "hosts/h1", data: "{}" },
        { op: "create", path: "bridges/b1", data: "{}" },
      ],
      [],
      [],
    );
    const now = new Set(
      topologyCommandChunk(7, 1, 0)
        .filter((command) => command.check(context))
        .map((command) => String(command).replace(/\(.*/, "")),
    );
    expect(now.has("AddPort")).toBe(true);
    expect(now.has("RegisterHost")).toBe(true);
    expect(now.has("LinkPorts")).toBe(false);
    expect(now.has("BindVm")).toBe(false);
  });

  it("plans multi-ops that keep links symmetric and clean up deleted devices", () => {
    const model = new TopologyModel();
    const ids = { n: 0 };
    const context = { model, host: "h1", writeId: () => `1-${++ids.n}` };
    model.apply(
      [
        { op: "create", path: "hosts/h1", data: "{}" },
        { op: "create", path: "bridges/b1", data: "{}" },
        { op: "create", path: "routers/r1", data: "{}" },
        { op: "create", path: "ports/p1", data: port("bridges/b1", null) },
        { op: "create", path: "ports/p2", data: port("routers/r1", null) },
      ],
      [],
      [],
    );
    const commands = topologyCommandChunk(11, 1, 0);
    const link = commands.find((command) => String(command).startsWith("LinkPorts"));
    expect(link?.check(context)).toBe(true);
    const action = link?.plan(context);
    expect(action?.kind === "change" && action.ops.map((op) => `${op.op} ${op.path}`)).toEqual([
      "set ports/p1",
      "set ports/p2",
    ]);
    if (action?.kind === "change") model.apply(action.ops, [], [1, 1]);
    expect(model.port("p1")?.peer).toBe("p2");
    const remove = commands.find((command) => String(command).startsWith("DeleteDevice"));
    const deletion = remove?.plan(context);
    const paths =
      deletion?.kind === "change" ? deletion.ops.map((op) => `${op.op} ${op.path}`) : [];
    // Whichever device goes, its port goes with it and the other side of the link is cleared, in one multi.
    expect(paths.some((p) => p.startsWith("delete ports/"))).toBe(true);
    expect(paths.some((p) => p.startsWith("set ports/"))).toBe(true);
    expect(paths.at(-1)).toMatch(/^delete (bridges\/b1|routers\/r1)$/);
  });
});
