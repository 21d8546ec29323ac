import { describe, expect, it } from "vitest";
import { FaultNetwork } from "../../../src/network/fault-network.js";
import { refuseProviderFaults } from "../../../src/providers/registry.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";
import { planRun } from "../../../src/scenario/plan.js";

// network.wire and network.link need the links inside the built-in proxy: where they are not, they are refused
// before anything starts, naming why and the fix.

describe("network.wire where the proxy does not carry the peer links", () => {
  it("is refused on ssh hosts and on an existing ensemble, and allowed on local", () => {
    const plan = { schedule: [], wire: "summary" };
    expect(() => refuseProviderFaults(plan, "ssh")).toThrow(
      /network.wire: summary .*hosts' kernels; set network.wire: off/,
    );
    expect(() => refuseProviderFaults(plan, "existing")).toThrow(
      /only the client links; set network.wire: off/,
    );
    expect(() => refuseProviderFaults(plan, "local")).not.toThrow();
  });

  it("is refused with an external Toxiproxy, which cannot decode", async () => {
    await expect(
      FaultNetwork.start({ toxiproxyUrl: "http://127.0.0.1:1", wire: true }),
    ).rejects.toThrow(
      /network.wire reads the peer links inside the built-in proxy.*--toxiproxy-url/,
    );
  });
});

describe("network.link where the proxy does not carry every connection", () => {
  it("is refused on ssh hosts and on an existing ensemble, and allowed on local", () => {
    const plan = { schedule: [], link: { mbPerS: 12.5, bufferMs: 20, dataPath: "shared" } };
    expect(() => refuseProviderFaults(plan, "ssh")).toThrow(
      /network.link puts every connection on one link .*hosts' kernels: drop network.link/,
    );
    expect(() => refuseProviderFaults(plan, "existing")).toThrow(
      /network.link .*--connect zk-chaos carries only the client links.*drop network.link/,
    );
    expect(() => refuseProviderFaults(plan, "local")).not.toThrow();
  });

  it("needs the clients on their proxies, or their traffic would not cross the link", () => {
    const text = (connect: string) =>
      `name: linked\nnodes: [3]\nduration: 5s\nworkload: { kind: topology, connect: ${connect} }\nnetwork: { link: { mbPerS: 2 } }\n`;
    expect(() => planRun(parseScenario(text("all"), "linked.yaml"), 3, 1)).toThrow(
      /scenario linked: network.link carries the clients' traffic only through the client proxies: set workload.connect: proxies/,
    );
    const plan = planRun(parseScenario(text("proxies"), "linked.yaml"), 3, 1);
    // The defaults a person would expect: a 50 ms queue, the data path on the same link.
    expect(plan.link).toEqual({ mbPerS: 2, bufferMs: 50, dataPath: "shared" });
  });
});
