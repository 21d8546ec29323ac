import { describe, expect, it } from "vitest";
import { benchmarkName, parseBenchOutput } from "../../../bench/porcupine-anchor.js";

describe("the checker benchmark's Porcupine anchor", () => {
  it("names each history file as Porcupine's own benchmark does", () => {
    expect(benchmarkName("test_data/jepsen/etcd_002.log")).toBe("EtcdJepsen002");
    expect(benchmarkName("test_data/kv/c01-ok.txt")).toBe("Kv1ClientOk");
    expect(benchmarkName("test_data/kv/c50-bad.txt")).toBe("Kv50ClientsBad");
    expect(benchmarkName("history.jsonl")).toBeUndefined();
  });

  it("reads go test -bench output as ms per check", () => {
    const output = [
      "goos: linux",
      "BenchmarkEtcdJepsen000-2   \t       3\t   1234567 ns/op",
      "BenchmarkKv10ClientsOk-2   \t       3\t  45000000 ns/op",
      "BenchmarkKv1ClientBad      \t       3\t      1500.5 ns/op",
      "PASS",
    ].join("\n");
    expect([...parseBenchOutput(output)]).toEqual([
      ["EtcdJepsen000", 1.234567],
      ["Kv10ClientsOk", 45],
      ["Kv1ClientBad", 0.0015005],
    ]);
  });
});
