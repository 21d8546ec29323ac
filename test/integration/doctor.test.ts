import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli } from "../helpers/cli.js";

describe("zk-chaos doctor on this machine", () => {
  it("finds Java and ZooKeeper here: a local run can start (exit 0)", async () => {
    const cli = spawnCli(["doctor", "--only", "node,java,zookeeper,maven,ports"]);
    expect(await cli.exited, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/^ok +java +\S*java \(Java \d+\)$/m);
    expect(cli.output()).toMatch(/^ok +zookeeper +ZooKeeper \d+\.\d+\.\d+ from /m);
    expect(cli.output()).toMatch(/a local run can start/);
  });

  it("without Java on PATH: exit 2, and the fix for Debian/Ubuntu, Fedora/RHEL and a user without root", async () => {
    // Only Node's own folder on PATH: no java, no mvn.
    const cli = spawnCli(["doctor", "--only", "java,zookeeper", "--json"], {
      PATH: dirname(process.execPath),
      JAVA_HOME: "",
    });
    expect(await cli.exited, cli.output()).toBe(2);
    const report = JSON.parse(cli.output()) as {
      canRunLocally: boolean;
      checks: { name: string; status: string; fix: Record<string, string> }[];
    };
    expect(report.canRunLocally).toBe(false);
    const java = report.checks.find((check) => check.name === "java");
    expect(java?.status).toBe("missing");
    expect(java?.fix).toEqual({
      debian: "sudo apt-get install -y default-jre-headless",
      fedora: "sudo dnf install -y java-17-openjdk-headless",
      noRoot: expect.stringMatching(/JAVA_HOME/),
    });
  });

  it("an unknown check is bad input that names the checks", async () => {
    const cli = spawnCli(["doctor", "--only", "jvm"]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/unknown check\(s\) jvm: the checks are node, java, zookeeper/);
  });
});
