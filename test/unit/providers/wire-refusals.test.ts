import { describe, expect, it } from "vitest";
import { FaultNetwork } from "../../../src/network/fault-network.js";
import { refuseProviderFaults } from "../../../src/providers/registry.js";

// network.wire needs the peer links inside the built-in proxy: where they are not, it is refused
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
