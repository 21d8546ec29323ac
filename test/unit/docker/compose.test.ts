import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

interface Service {
  image: string;
  hostname?: string;
  environment?: Record<string, string | number>;
  ports?: string[];
  command?: string[];
}

const compose = parse(readFileSync("docker/compose.yaml", "utf8"), { merge: true }) as {
  services: Record<string, Service>;
};
const proxies = JSON.parse(readFileSync("docker/toxiproxy.json", "utf8")) as {
  name: string;
  listen: string;
  upstream: string;
}[];

describe("docker/compose.yaml (3 servers and a Toxiproxy, for manual exploration)", () => {
  const servers = ["zk1", "zk2", "zk3"].map((name) => compose.services[name] as Service);

  it("gives each server its id and the same ensemble, from an overridable image", () => {
    servers.forEach((service, index) => {
      expect(service.hostname).toBe(`zk${index + 1}`);
      expect(service.environment?.ZOO_MY_ID).toBe(index + 1);
      expect(String(service.environment?.ZOO_SERVERS).split(" ")).toEqual([
        "server.1=zk1:2888:3888;2181",
        "server.2=zk2:2888:3888;2181",
        "server.3=zk3:2888:3888;2181",
      ]);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own ${VAR:-default} syntax, literally.
      expect(service.image).toBe("${ZK_CHAOS_ZOOKEEPER_IMAGE:-zookeeper:3.8.0}");
    });
  });

  it("puts one client proxy per server in front of it, published on loopback only", () => {
    const toxiproxy = compose.services.toxiproxy as Service;
    expect(toxiproxy.command).toContain("-config=/config/toxiproxy.json");
    expect(proxies.map((proxy) => proxy.upstream)).toEqual(["zk1:2181", "zk2:2181", "zk3:2181"]);
    const published = (toxiproxy.ports ?? []).join(" ");
    for (const proxy of proxies) {
      const port = Number(proxy.listen.split(":")[1]);
      expect(published).toMatch(/127\.0\.0\.1:22181-22183:22181-22183/);
      expect(port).toBeGreaterThanOrEqual(22181);
      expect(port).toBeLessThanOrEqual(22183);
    }
    for (const mapping of toxiproxy.ports ?? [])
      expect(mapping.startsWith("127.0.0.1:")).toBe(true);
  });
});
