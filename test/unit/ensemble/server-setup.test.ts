import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prepareServer } from "../../../src/ensemble/server-setup.js";
import { FAST_SETTINGS } from "../../../src/zookeeper/settings.js";

const dir = mkdtempSync(join(tmpdir(), "zkchaos-setup-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("one server's folder and command line", () => {
  const setup = {
    dir,
    host: "127.0.0.1",
    settings: FAST_SETTINGS,
    runId: "run",
    owner: "1:1",
    ports: [1, 2, 3].map((id) => ({
      id,
      client: 20000 + id,
      quorum: 21000 + id,
      election: 22000 + id,
    })),
    peer: (_self: number, peer: number) => ({
      host: "127.0.0.1",
      quorumPort: 21000 + peer,
      electionPort: 22000 + peer,
    }),
    serverSettings: {
      3: { extraConfig: { snapCount: "50" }, systemProperties: { "zookeeper.flushDelay": "4000" } },
    },
  };
  const install = (version: string) => ({
    java: "java",
    classPath: ["/zk.jar"],
    version,
    source: "test",
  });

  it("gives one server its own keys and properties, and the others none", () => {
    const three = prepareServer(setup, 3, install("3.8.0"), []);
    const one = prepareServer(setup, 1, install("3.8.0"), []);
    expect(three.args).toContain("-Dzookeeper.flushDelay=4000");
    expect(one.args).not.toContain("-Dzookeeper.flushDelay=4000");
    expect(readFileSync(three.confFile, "utf8")).toContain("snapCount=50");
    expect(readFileSync(one.confFile, "utf8")).not.toContain("snapCount");
  });

  it("leaves out what the release does not read: the AdminServer switch and the election bound on 3.4", () => {
    const old = prepareServer(setup, 2, install("3.4.5"), []);
    expect(old.args.some((arg) => arg.includes("admin.enableServer"))).toBe(false);
    expect(old.args.some((arg) => arg.includes("maxNotificationInterval"))).toBe(false);
    const recent = prepareServer(setup, 2, install("3.9.5"), []);
    expect(recent.args).toContain("-Dzookeeper.admin.enableServer=false");
    expect(recent.args).toContain("-Dzookeeper.fastleader.maxNotificationInterval=1000");
  });
});
