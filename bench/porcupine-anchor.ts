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
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

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
  if (existsSync(join(source, "checker.go"))) return { dir: source, done: () => {} };
  if (!existsSync(join(source, "HEAD"))) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "zkchaos-porcupine-"));
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

/** Runs Porcupine's own benchmarks (each file checked `times` times) and returns their times. */
export function runPorcupine(times = 3): PorcupineAnchor {
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
    const run = spawnSync(
      "go",
      ["test", "-run", "^$", "-bench", "^Benchmark(EtcdJepsen|Kv)", "-benchtime", `${times}x`],
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
