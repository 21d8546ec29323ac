/**
 * The anchor of the checker benchmark: Porcupine itself (Go), running its own
 * benchmarks on its own test data in the same run, so the ratio printed is
 * measured on this machine at this moment, not remembered. Needs Go (Debian's
 * golang-go) and Porcupine's source: a checkout or a git directory in
 * ZK_CHAOS_PORCUPINE_SRC (default ../.mirror/anishathalye+porcupine/repo, where
 * the tool library's fetch puts it). Without either it says so and the
 * benchmark goes on without the anchor.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { HistoryEvent } from "../src/history/event.js";

/** Porcupine's check time per history file (ms, parsing excluded as in its benchmarks), by file name. */
export type PorcupineTimes = ReadonlyMap<string, number>;

/** What the anchor found: its times, or why there are none. */
export type PorcupineAnchor =
  | { readonly times: PorcupineTimes; readonly version: string }
  | { readonly missing: string };

/** The benchmark name of a history file: etcd_002.log -> EtcdJepsen002, c10-ok.txt -> Kv10ClientsOk. */
export function benchmarkName(file: string): string | undefined {
  const etcd = /etcd_(\d{3})\.log$/.exec(file);
  if (etcd) return `EtcdJepsen${etcd[1]}`;
  const kv = /c(\d+)-(ok|bad)\.txt$/.exec(file);
  if (kv) {
    const clients = Number(kv[1]);
    return `Kv${clients}Client${clients === 1 ? "" : "s"}${kv[2] === "ok" ? "Ok" : "Bad"}`;
  }
  return undefined;
}

/** Reads `go test -bench` output: each benchmark's ns/op, as ms. */
export function parseBenchOutput(output: string): Map<string, number> {
  const times = new Map<string, number>();
  for (const match of output.matchAll(/^Benchmark(\w+?)(?:-\d+)?\s+\d+\s+(\d+(?:\.\d+)?) ns\/op/gm))
    times.set(match[1] as string, Number(match[2]) / 1e6);
  return times;
}

/** Porcupine's source as a work tree: the checkout itself, or one written out of a git directory. */
function workTree(source: string): { dir: string; done: () => void } | undefined {
  if (!existsSync(join(source, "checker.go")) && !existsSync(join(source, "HEAD")))
    return undefined;
  // A copy either way: the benchmark adds a file of its own, never to the user's checkout.
  const dir = mkdtempSync(join(tmpdir(), "zkchaos-porcupine-"));
  if (existsSync(join(source, "checker.go"))) {
    cpSync(source, dir, { recursive: true });
    return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
  }
  const archive = spawnSync("git", ["--git-dir", source, "archive", "--format=tar", "HEAD"], {
    maxBuffer: 256 * 2 ** 20,
  });
  const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  if (archive.status !== 0 || untar.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A one-register zk-chaos history (read, write, cas) as Porcupine's etcd log,
 * which its own parser reads: absent (null) is written as 0, with a write of
 * 0 before everything; a failed write (it did not happen) is left out; an
 * unknown outcome has no return line (Porcupine: it may happen any time).
 */
export function porcupineLogOf(events: readonly HistoryEvent[]): string {
  const number = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));
  const failed = new Set<string>();
  const pending = new Map<number | string, HistoryEvent>();
  for (const event of events) {
    if (typeof event.process !== "number") continue;
    if (event.type === "invoke") pending.set(event.process, event);
    else {
      const invoke = pending.get(event.process);
      if (invoke && event.type === "fail" && event.f === "write") failed.add(`${invoke.index}`);
      pending.delete(event.process);
    }
  }
  const line = (process: number, type: string, f: string, value: string) =>
    `INFO  jepsen.util - ${process}\t:${type}\t:${f}\t${value}`;
  const lines = [line(0, "invoke", "write", "0"), line(0, "ok", "write", "0")];
  const open = new Map<number, HistoryEvent>();
  for (const event of events) {
    if (typeof event.process !== "number") continue;
    // Process 0 wrote the first 0: the history's own processes are shifted by one.
    const process = event.process + 1;
    const value = (event.value ?? {}) as { value?: unknown };
    if (event.type === "invoke") {
      if (failed.has(`${event.index}`)) continue;
      open.set(event.process, event);
      const argument =
        event.f === "read"
          ? "nil"
          : event.f === "cas"
            ? `[${number((value.value as unknown[])[0])} ${number((value.value as unknown[])[1])}]`
            : String(number(value.value));
      lines.push(line(process, "invoke", event.f, argument));
      continue;
    }
    const invoke = open.get(event.process);
    open.delete(event.process);
    if (invoke === undefined) continue;
    const invoked = (invoke.value ?? {}) as { value?: unknown };
    if (event.type === "info") continue;
    if (event.f === "read")
      lines.push(
        event.type === "ok"
          ? line(process, "ok", "read", String(number(value.value)))
          : line(process, "fail", "read", ":timed-out"),
      );
    else if (event.f === "write")
      lines.push(line(process, "ok", "write", String(number(invoked.value))));
    else {
      const [from, to] = invoked.value as unknown[];
      lines.push(
        line(
          process,
          event.type === "ok" ? "ok" : "fail",
          "cas",
          `[${number(from)} ${number(to)}]`,
        ),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Go benchmarks of Porcupine on extra etcd logs, named ZkChaosFile<i>, in its own package (its parser, its model). */
function extraBenchmarks(logs: readonly string[]): string {
  return [
    "package porcupine",
    "",
    'import "testing"',
    "",
    ...logs.map(
      (log, index) => `func BenchmarkZkChaosFile${index}(b *testing.B) {
\tevents := parseJepsenLog(${JSON.stringify(log)})
\tb.ResetTimer()
\tfor i := 0; i < b.N; i++ {
\t\tif !CheckEvents(etcdModel, events) {
\t\t\tb.Fatal("not linearizable")
\t\t}
\t}
}
`,
    ),
  ].join("\n");
}

/**
 * Runs Porcupine's own benchmarks (each file checked `times` times), and its
 * check of each of `logs` (etcd logs, as ZkChaosFile<i>), and returns their times.
 */
export function runPorcupine(times = 3, logs: readonly string[] = []): PorcupineAnchor {
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.status !== 0)
    return { missing: "no Go on this machine (apt-get install golang-go): no Porcupine anchor" };
  const source = resolve(
    process.env.ZK_CHAOS_PORCUPINE_SRC ?? join("..", ".mirror", "anishathalye+porcupine", "repo"),
  );
  const tree = workTree(source);
  if (tree === undefined)
    return {
      missing: `no Porcupine source at ${source} (set ZK_CHAOS_PORCUPINE_SRC to a checkout of github.com/anishathalye/porcupine): no anchor`,
    };
  try {
    if (logs.length > 0)
      writeFileSync(join(tree.dir, "zkchaos_bench_test.go"), extraBenchmarks(logs));
    const run = spawnSync(
      "go",
      [
        "test",
        "-run",
        "^$",
        "-bench",
        "^Benchmark(EtcdJepsen|Kv|ZkChaos)",
        "-benchtime",
        `${times}x`,
      ],
      {
        cwd: tree.dir,
        encoding: "utf8",
        // Porcupine needs nothing beyond the standard library: no module proxy is asked.
        env: { ...process.env, GOPROXY: "off", GOFLAGS: "-mod=mod" },
        maxBuffer: 64 * 2 ** 20,
        timeout: 30 * 60_000,
      },
    );
    const parsed = parseBenchOutput(run.stdout ?? "");
    if (parsed.size === 0)
      return {
        missing: `Porcupine's benchmarks did not run (go test exit ${run.status}): ${(run.stderr || run.stdout || "").slice(0, 300)}`,
      };
    const version = spawnSync("git", ["--git-dir", source, "describe", "--tags", "--always"], {
      encoding: "utf8",
    });
    return {
      times: parsed,
      version: `${go.stdout.trim()}, porcupine ${version.status === 0 ? version.stdout.trim() : "checkout"}`,
    };
  } finally {
    tree.done();
  }
}
