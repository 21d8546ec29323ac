/**
 * The anchor of the proxy benchmark: a real Toxiproxy server, built from its
 * own source with Debian's Go and started on loopback for the run. Toxiproxy
 * 2.1.4 is the newest release that vendors its dependencies, so it builds
 * here without a Go module proxy (this machine reaches none); later releases
 * keep the same data path (link, stream, toxics). The source is a checkout
 * or a git directory in ZK_CHAOS_TOXIPROXY_SRC (default
 * ../.mirror/Shopify+toxiproxy/repo, where the tool library's fetch puts it),
 * at ZK_CHAOS_TOXIPROXY_REF (default v2.1.4). The binary is kept in the cache
 * so later runs start at once. Without Go or the source it says so, and the
 * benchmark goes on without the anchor.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { reservePorts } from "../src/util/port-reservation.js";
import { cacheRoot } from "../src/zookeeper/release-cache.js";

/** A running real Toxiproxy, or why there is none. */
export type ToxiproxyAnchor =
  | { readonly url: string; readonly version: string; readonly stop: () => Promise<void> }
  | { readonly missing: string };

const IMPORT_PATH = join("src", "github.com", "Shopify", "toxiproxy");

/** Writes the source at `ref` into a fresh GOPATH; a checkout is copied as it is. */
function goPath(source: string, ref: string): string | undefined {
  const root = mkdtempSync(join(tmpdir(), "zkchaos-toxiproxy-src-"));
  const tree = join(root, IMPORT_PATH);
  mkdirSync(tree, { recursive: true });
  if (existsSync(join(source, "proxy.go"))) {
    cpSync(source, tree, { recursive: true });
    return root;
  }
  const archive = spawnSync("git", ["--git-dir", source, "archive", "--format=tar", ref], {
    maxBuffer: 256 * 2 ** 20,
  });
  const untar = spawnSync("tar", ["-x", "-C", tree], { input: archive.stdout });
  if (archive.status === 0 && untar.status === 0) return root;
  rmSync(root, { recursive: true, force: true });
  return undefined;
}

/** Builds the server once per ref into the cache; returns its path, or why not. */
function build(source: string, ref: string): { binary: string } | { missing: string } {
  const binary = join(cacheRoot(), "toxiproxy", ref.replace(/[^\w.-]/g, "_"), "toxiproxy-server");
  if (existsSync(binary)) return { binary };
  const root = goPath(source, ref);
  if (root === undefined)
    return {
      missing: `no Toxiproxy source at ${source} (ref ${ref}; set ZK_CHAOS_TOXIPROXY_SRC to a checkout or git directory of github.com/Shopify/toxiproxy): no anchor`,
    };
  try {
    mkdirSync(join(binary, ".."), { recursive: true });
    const partial = `${binary}.partial-${process.pid}`;
    const made = spawnSync(
      "go",
      [
        "build",
        "-ldflags",
        `-X github.com/Shopify/toxiproxy.Version=${ref}`,
        "-o",
        partial,
        "./cmd",
      ],
      {
        cwd: join(root, IMPORT_PATH),
        encoding: "utf8",
        // GOPATH mode with the release's vendor folder: no module proxy is asked.
        env: {
          ...process.env,
          GO111MODULE: "off",
          GOPATH: root,
          GOFLAGS: "",
          GOPROXY: "off",
          GOCACHE: join(root, "cache"),
        },
        timeout: 10 * 60_000,
      },
    );
    if (made.status !== 0) {
      rmSync(partial, { force: true });
      return {
        missing: `Toxiproxy ${ref} did not build (go build exit ${made.status}): ${(made.stderr || "").slice(0, 300)}`,
      };
    }
    renameSync(partial, binary);
    return { binary };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** Waits until the API answers, or the process ends, or the time is up. */
async function answers(url: string, child: ChildProcess, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until && child.exitCode === null) {
    try {
      if ((await fetch(`${url}/version`)).ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return false;
}

/** Builds (once) and starts a real Toxiproxy on a free loopback port. */
export async function startRealToxiproxy(): Promise<ToxiproxyAnchor> {
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.status !== 0)
    return { missing: "no Go on this machine (apt-get install golang-go): no real Toxiproxy" };
  const source = resolve(
    process.env.ZK_CHAOS_TOXIPROXY_SRC ?? join("..", ".mirror", "Shopify+toxiproxy", "repo"),
  );
  const ref = process.env.ZK_CHAOS_TOXIPROXY_REF ?? "v2.1.4";
  const built = build(source, ref);
  if ("missing" in built) return built;
  const started = await serve(built.binary, []);
  if ("missing" in started) return { missing: `Toxiproxy ${ref} built but ${started.missing}` };
  return started;
}

/**
 * Starts the built-in server as its own program (toxiproxy-main, the image's
 * entry), so it has a process to itself as the real server has.
 */
export async function startBuiltInProcess(): Promise<ToxiproxyAnchor> {
  const main = fileURLToPath(
    new URL("../src/network/toxiproxy/toxiproxy-main.js", import.meta.url),
  );
  return serve(process.execPath, [main]);
}

/** Runs a Toxiproxy-compatible server (`command` `args` -host -port) on a free loopback port until stopped. */
async function serve(command: string, args: readonly string[]): Promise<ToxiproxyAnchor> {
  const reservation = await reservePorts(1);
  // Held until the server stops: no other zk-chaos run takes the port meanwhile.
  const port = reservation.ports[0] as number;
  const child = spawn(command, [...args, "-host", "127.0.0.1", "-port", String(port)], {
    stdio: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await gone;
    }
    reservation.release();
  };
  if (!(await answers(url, child, 10_000))) {
    await stop();
    return { missing: `did not answer on ${url}` };
  }
  const version = (await (await fetch(`${url}/version`)).text()).trim();
  return { url, version, stop };
}
