import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KernelNetwork } from "../../../src/network/kernel-network.js";
import { loadInventory } from "../../../src/remote/inventory.js";
import type { SshHost } from "../../../src/remote/ssh-host.js";
import { shellCommand, shellQuote } from "../../../src/util/shell-quote.js";

/** A host whose shell answers like a kernel with iptables and htb but no netem, and records what it is told. */
function fakeShell(log: string[]): SshHost {
  return {
    name: "root@test",
    exec: async (command: string, input?: string) => {
      log.push(input === undefined ? command : `${command} <<< ${input}`);
      if (command.startsWith("ip route get"))
        return { code: 0, stdout: "10.0.0.2 dev eth0 src 10.0.0.1", stderr: "" };
      if (command.includes("netem"))
        return { code: 2, stdout: "", stderr: "Error: Specified qdisc kind is unknown." };
      return { code: 0, stdout: "", stderr: "" };
    },
    run: async (command: string, _what: string, input?: string) => {
      log.push(input === undefined ? command : `${command} <<< ${input}`);
      return "";
    },
  } as unknown as SshHost;
}

async function network(log: string[]): Promise<KernelNetwork> {
  return KernelNetwork.start(
    [1, 2, 3].map((id) => ({
      id,
      shell: fakeShell(log),
      address: `10.0.0.${id}`,
      clientPort: 2181,
    })),
  );
}

describe("the kernel fault network's rules", () => {
  it("cuts a directed link on both sides, refusing or black-holing, and heals by owner", async () => {
    const kernel = await network([]);
    await kernel.block([{ from: 1, to: 2 }], "refuse", "f1");
    expect(kernel.rulesFor(1)).toBe(
      "*filter\n:ZKCHAOS - [0:0]\n-A ZKCHAOS -p tcp -d 10.0.0.2 -j REJECT --reject-with tcp-reset\n-A ZKCHAOS -d 10.0.0.2 -j DROP\nCOMMIT\n",
    );
    expect(kernel.rulesFor(2)).toBe(
      "*filter\n:ZKCHAOS - [0:0]\n-A ZKCHAOS -s 10.0.0.1 -j DROP\nCOMMIT\n",
    );
    expect(kernel.rulesFor(3)).toBe("*filter\n:ZKCHAOS - [0:0]\nCOMMIT\n");
    await kernel.block([{ from: 1, to: 2 }], "blackhole", "f2");
    await kernel.unblock("f1");
    expect(kernel.rulesFor(1)).toBe(
      "*filter\n:ZKCHAOS - [0:0]\n-A ZKCHAOS -d 10.0.0.2 -j DROP\nCOMMIT\n",
    );
    expect(kernel.view().blocked).toEqual([[1, 2]]);
    await kernel.unblock("f2");
    expect(kernel.view().blocked).toEqual([]);
  });

  it("cuts a server's clients on its client port, both ways", async () => {
    const kernel = await network([]);
    await kernel.blockClients(2, "blackhole");
    expect(kernel.rulesFor(2)).toContain(
      "-A ZKCHAOS -p tcp --dport 2181 -j DROP\n-A ZKCHAOS -p tcp --sport 2181 -j DROP",
    );
    expect(kernel.view().clientsBlocked).toEqual([2]);
  });

  it("drops a share of packets with the statistic match and caps bandwidth with an htb class per link", async () => {
    const kernel = await network([]);
    await kernel.degrade("f1", [{ from: 1, to: 3 }], {
      type: "loss",
      attributes: { probability: 0.1 },
    });
    expect(kernel.rulesFor(1)).toContain(
      "-A ZKCHAOS -d 10.0.0.3 -m statistic --mode random --probability 0.1 -j DROP",
    );
    await kernel.degrade("f2", [{ from: 2, to: 1 }], {
      type: "bandwidth",
      attributes: { rate: 64 },
    });
    const shaping = kernel.qdiscFor(2);
    expect(shaping).toContain("tc qdisc add dev 'eth0' root handle 1: htb default 1");
    expect(shaping).toContain("classid 1:10 htb rate 512kbit ceil 512kbit");
    expect(shaping).toContain("u32 match ip dst 10.0.0.1/32 flowid 1:10");
    await kernel.undegrade("f2");
    expect(kernel.qdiscFor(2)).toBe("tc qdisc del dev 'eth0' root 2>/dev/null; true");
  });

  it("refuses what these kernels cannot make, naming the missing qdisc", async () => {
    const kernel = await network([]);
    expect(kernel.capabilities).toEqual({ netem: false, htb: true, cpuCgroup: true });
    await expect(
      kernel.degrade("slow", [{ from: 1, to: 2 }], {
        type: "latency",
        attributes: { latency: 80 },
      }),
    ).rejects.toThrow(/needs the netem qdisc on the hosts, and their kernel has none/);
    expect(() => kernel.refuseUnsupported("flaky", "reset_peer")).toThrow(/only a proxy does/);
  });
});

describe("what reaches a remote shell", () => {
  it("quotes every value so that nothing in it is interpreted", () => {
    expect(shellQuote("a b")).toBe("'a b'");
    expect(shellQuote("it's; rm -rf /")).toBe("'it'\\''s; rm -rf /'");
    expect(shellCommand(["/usr/bin/java", "-Dx=$(id)", 3])).toBe("'/usr/bin/java' '-Dx=$(id)' '3'");
    expect(() => shellQuote("a\0b")).toThrow(/NUL/);
  });

  it("reads an inventory with defaults, and names the file, field and fix of a bad one", () => {
    const dir = mkdtempSync(join(tmpdir(), "zkc-inventory-"));
    try {
      const good = join(dir, "good.yaml");
      writeFileSync(good, "hosts:\n  - { address: 10.231.0.11, key: /root/.ssh/id }\n");
      expect(loadInventory(good)).toMatchObject({
        hosts: [{ address: "10.231.0.11", port: 22, user: "root", key: "/root/.ssh/id" }],
        workDir: "/var/tmp/zk-chaos-ssh",
        ports: { client: 2181, quorum: 2888, election: 3888 },
      });
      const bad = join(dir, "bad.yaml");
      writeFileSync(bad, "hosts:\n  - { address: 'h; reboot', key: relative }\n");
      expect(() => loadInventory(bad)).toThrow(
        /bad\.yaml: hosts\.0\.address: a host name or an IP address; hosts\.0\.key: an absolute path/,
      );
      expect(() => loadInventory(join(dir, "none.yaml"))).toThrow(/cannot read it/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
