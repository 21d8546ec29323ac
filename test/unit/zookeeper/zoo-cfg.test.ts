import { describe, expect, it } from "vitest";
import { FAST_SETTINGS, resolveSettings } from "../../../src/zookeeper/settings.js";
import { renderZooCfg } from "../../../src/zookeeper/zoo-cfg.js";

const peers = new Map([
  [1, { host: "127.0.0.1", quorumPort: 20001, electionPort: 20002 }],
  [2, { host: "127.0.0.1", quorumPort: 21001, electionPort: 21002 }],
  [3, { host: "127.0.0.2", quorumPort: 22001, electionPort: 22002 }],
]);

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

describe("renderZooCfg", () => {
  const base = {
    settings: FAST_SETTINGS,
    serverId: 2,
    dataDir: "/runs/x/server-2/data",
    clientHost: "127.0.0.1",
    clientPort: 21000,
    peers,
  };

  it("turns reconfig on (without ACLs) only for membership runs, and lists just the members and a joiner itself", () => {
    const plain = parse(renderZooCfg(base));
    expect(plain.get("reconfigEnabled")).toBe("false");
    expect(plain.has("skipACL")).toBe(false);
    const member = parse(renderZooCfg({ ...base, reconfig: true, members: [1, 2] }));
    expect(member.get("reconfigEnabled")).toBe("true");
    expect(member.get("skipACL")).toBe("yes");
    expect(member.has("server.3")).toBe(false);
    expect(member.get("server.1")).toBe("127.0.0.1:20001:20002");
    const joiner = parse(
      renderZooCfg({ ...base, serverId: 3, reconfig: true, members: [1, 2, 3] }),
    );
    expect(joiner.get("server.3")).toBe("127.0.0.2:22001:22002");
  });

  it("marks observers in every server's list, and an observer says so of itself", () => {
    const voter = parse(renderZooCfg({ ...base, observers: [3] }));
    expect(voter.get("server.3")).toBe("127.0.0.2:22001:22002:observer");
    expect(voter.get("server.2")).toBe("127.0.0.1:21001:21002");
    expect(voter.has("peerType")).toBe(false);
    const observer = parse(renderZooCfg({ ...base, serverId: 3, observers: [3] }));
    expect(observer.get("peerType")).toBe("observer");
    expect(parse(renderZooCfg(base)).get("server.3")).toBe("127.0.0.2:22001:22002");
  });

  it("writes the fast settings, the layout and every server entry", () => {
    const cfg = parse(renderZooCfg(base));
    expect(cfg.get("tickTime")).toBe("200");
    expect(cfg.get("initLimit")).toBe("10");
    expect(cfg.get("syncLimit")).toBe("5");
    expect(cfg.get("dataDir")).toBe("/runs/x/server-2/data");
    expect(cfg.get("clientPort")).toBe("21000");
    expect(cfg.get("clientPortAddress")).toBe("127.0.0.1");
    expect(cfg.get("server.1")).toBe("127.0.0.1:20001:20002");
    expect(cfg.get("server.3")).toBe("127.0.0.2:22001:22002");
    expect(cfg.get("4lw.commands.whitelist")).toBe("*");
    expect(cfg.get("admin.enableServer")).toBe("false");
    expect(cfg.get("standaloneEnabled")).toBe("false");
    expect(cfg.get("reconfigEnabled")).toBe("false");
    expect(cfg.has("minSessionTimeout")).toBe(false);
  });

  it("is pure: the same input renders the same text", () => {
    expect(renderZooCfg(base)).toBe(
      renderZooCfg({ ...base, peers: new Map([...peers].reverse()) }),
    );
  });

  it("takes production values and session bounds", () => {
    const settings = resolveSettings(
      { minSessionTimeout: 4000, maxSessionTimeout: 40000 },
      "production",
    );
    const cfg = parse(renderZooCfg({ ...base, settings }));
    expect(cfg.get("tickTime")).toBe("2000");
    expect(cfg.get("minSessionTimeout")).toBe("4000");
    expect(cfg.get("maxSessionTimeout")).toBe("40000");
  });

  it("lets extra keys override our defaults but not the layout", () => {
    const settings = resolveSettings({ extraConfig: { maxClientCnxns: "60", snapCount: "1000" } });
    const cfg = parse(renderZooCfg({ ...base, settings }));
    expect(cfg.get("maxClientCnxns")).toBe("60");
    expect(cfg.get("snapCount")).toBe("1000");
    expect(() => resolveSettings({ extraConfig: { clientPort: "1" } })).toThrow(
      /clientPort' is set by zk-chaos/,
    );
    expect(() => resolveSettings({ extraConfig: { "server.4": "x" } })).toThrow(
      /cannot be overridden/,
    );
    expect(() => resolveSettings({ extraConfig: { "bad key": "1" } })).toThrow(/not a valid key/);
    expect(() => resolveSettings({ extraConfig: { snapCount: "1\nserver.9=x" } })).toThrow(
      /single line/,
    );
  });
});

describe("resolveSettings", () => {
  it("rejects nonsense with the setting's name", () => {
    expect(() => resolveSettings({ tickTime: 0 })).toThrow(/tickTime must be a positive integer/);
    expect(() => resolveSettings({ heapMb: 1.5 })).toThrow(/heapMb/);
    expect(() => resolveSettings({ minSessionTimeout: 5000, maxSessionTimeout: 1000 })).toThrow(
      /minSessionTimeout \(5000 ms\) is above maxSessionTimeout/,
    );
  });

  it("merges system properties onto the profile's", () => {
    const settings = resolveSettings({ systemProperties: { "zookeeper.cnxTimeout": "1000" } });
    expect(settings.systemProperties).toEqual({
      "zookeeper.fastleader.maxNotificationInterval": "1000",
      "zookeeper.cnxTimeout": "1000",
    });
  });
});
