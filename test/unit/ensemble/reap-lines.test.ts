import { describe, expect, it } from "vitest";
import { describeReap } from "../../../src/ensemble/run-registry.js";

describe("what reaping a dead run's leftovers says", () => {
  it("names servers, neighbours, folders and CPU groups, each on a line", () => {
    expect(
      describeReap({
        processes: [
          { pid: 101, runId: "a1b2", serverId: "2" },
          { pid: 102, runId: "deployment-77", serverId: "neighbour" },
        ],
        folders: ["/tmp/zk-chaos/runs/a1b2"],
        cpuGroups: ["/sys/fs/cgroup/zk-chaos/a1b2"],
      }),
    ).toEqual([
      "reaped orphan ZooKeeper server 2 (pid 101) of dead run a1b2",
      "reaped orphan neighbour (pid 102) of dead run deployment-77",
      "removed folder of dead run: /tmp/zk-chaos/runs/a1b2",
      "removed CPU cgroup of dead run: /sys/fs/cgroup/zk-chaos/a1b2",
    ]);
    expect(describeReap({ processes: [], folders: [] })).toEqual([]);
  });
});
