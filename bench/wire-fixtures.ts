/**
 * Records the wire decoders' fixtures from real runs: for each release, a
 * 3-server run with the peer links captured raw while a follower is killed,
 * the others take more than 500 writes (past the leader's committed log, so
 * the follower comes back by SNAP) and then a second follower is killed
 * briefly (back by DIFF); and one where the leader logs PROPOSALs no
 * follower hears and dies (back by TRUNC). Keeps, per release, the election
 * streams and the quorum streams that carry a DIFF, a SNAP or a TRUNC, cut to
 * 16 KiB, with the message list each decodes to, under
 * test/fixtures/wire/<release>/.
 *   node dist/bench/wire-fixtures.js [releases=3.4.5,3.6.4,3.8.0,3.9.5] [kinds=diff,snap,trunc]
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeCapture } from "../src/network/wire/decode-capture.js";
import { runPlan } from "../src/runner/run-plan.js";
import { parseScenario } from "../src/scenario/load-scenario.js";
import { planRun } from "../src/scenario/plan.js";

const releases = (process.argv[2] ?? "3.4.5,3.6.4,3.8.0,3.9.5").split(",");
const kinds = (process.argv[3] ?? "diff,snap,trunc").split(",");
const FIXTURE_BYTES = 16 * 1024;
const FAULTS = `
faults:
  - { at: 3s, for: 12s, fault: { kind: kill, target: follower } }
  - { at: 17s, for: 2s, fault: { kind: kill, target: follower } }
`;
/**
 * The leader's PROPOSALs reach no follower (held on every link) while it logs
 * them, then it dies for less than a session timeout, with the clients pinned
 * to it: the others elect a leader that writes nothing in its epoch, and the
 * old leader comes back ahead of it, by TRUNC.
 */
const TRUNC_FAULTS = `
faults:
  - { id: unheard, at: 4s, for: 8s, fault: { kind: hold-message, match: { type: PROPOSAL }, link: { from: leader, to: follower }, count: 200 } }
  - { at: 4500ms, for: 2s, fault: { kind: kill, target: leader } }
`;
/** The leader syncs by snapshot only: no txn-log sync (3.5+), a short committed log, and forced (3.6+). */
const SNAPSHOT_SYNC = {
  "zookeeper.forceSnapshotSync": "true",
  "zookeeper.snapshotSizeFactor": "-1",
  "zookeeper.commitLogCount": "20",
};
const scenario = (name: string, faults: string, properties?: Record<string, string>) => `
name: ${name}
nodes: [3]
duration: 24s
workload: { kind: registers, workers: 6, rate: 40${faults === TRUNC_FAULTS ? ", roles: [{ workers: 6, pin: leader }]" : ""} }
network: { wire: summary }
checkers: [zookeeper]
${properties ? `zookeeper: { servers: ${JSON.stringify(Object.fromEntries([1, 2, 3].map((id) => [String(id), { properties }])))} }` : ""}
${faults}`;

/** The streams worth keeping from a capture: an election pair, and per sync kind (`syncs`) the first leader stream and its reply. */
function choose(
  files: readonly string[],
  typesOf: (file: string) => ReadonlySet<string>,
  syncs: readonly string[],
  election: boolean,
): string[] {
  const chosen = new Set<string>();
  const partner = (file: string) =>
    file.endsWith(".downstream.bin")
      ? file.replace(".downstream.bin", ".upstream.bin")
      : file.replace(".upstream.bin", ".downstream.bin");
  const elected = files.find((file) => file.includes("-e-") && typesOf(file).has("NOTIFICATION"));
  if (election && elected) chosen.add(elected).add(partner(elected));
  for (const sync of syncs) {
    const leader = files.find((file) => file.includes("-q-") && typesOf(file).has(sync));
    if (leader) chosen.add(leader).add(partner(leader));
  }
  return [...chosen].filter((file) => files.includes(file));
}

for (const release of releases) {
  for (const { label, faults, properties, syncs, election } of [
    { label: "diff", faults: FAULTS, syncs: ["DIFF"], election: true },
    { label: "snap", faults: FAULTS, properties: SNAPSHOT_SYNC, syncs: ["SNAP"], election: true },
    { label: "trunc", faults: TRUNC_FAULTS, syncs: ["TRUNC"], election: false },
  ].filter((kind) => kinds.includes(kind.label))) {
    const work = mkdtempSync(join(tmpdir(), "zkc-wire-fixtures-"));
    try {
      const plan = planRun(
        parseScenario(scenario(`wire-fixtures-${label}`, faults, properties), "wire-fixtures.yaml"),
        3,
        1,
        undefined,
        release === "3.8.0" ? undefined : release,
      );
      const capture = join(work, "capture");
      const result = await runPlan(plan, { dir: join(work, "run"), captureWireDir: capture });
      const out = join("test", "fixtures", "wire", release);
      mkdirSync(out, { recursive: true });
      const decoded = new Map<string, ReturnType<typeof decodeCapture>>();
      const files = readdirSync(capture).sort();
      for (const file of files) {
        const protocol = file.includes("-e-") ? "zookeeper-election" : "zookeeper-quorum";
        const bytes = readFileSync(join(capture, file)).subarray(0, FIXTURE_BYTES);
        decoded.set(file, decodeCapture(protocol, bytes, file.endsWith(".upstream.bin")));
      }
      const typesOf = (file: string) =>
        new Set(decoded.get(file)?.messages.map((message) => message.type));
      const kept = choose(files, typesOf, syncs, election);
      for (const file of kept) {
        // Without the run's random proxy prefix: zkc-xxxxxx-q-1-2.0.upstream.bin -> snap.q-1-2.0.upstream.bin
        const name = `${label}.${file.replace(/^zkc-[0-9a-f]+-/, "")}`;
        const bytes = readFileSync(join(capture, file)).subarray(0, FIXTURE_BYTES);
        const result = decoded.get(file);
        writeFileSync(join(out, name), bytes);
        writeFileSync(
          join(out, `${name}.json`),
          `${JSON.stringify({
            protocol: file.includes("-e-") ? "zookeeper-election" : "zookeeper-quorum",
            dialler: file.endsWith(".upstream.bin"),
            messages: result?.messages.map((message) => message.type) ?? [],
            ...(result?.undecoded ? { undecoded: result.undecoded } : {}),
          })}\n`,
        );
      }
      console.log(
        `${release} ${label}: run ${String(result.valid)}; kept ${kept.length} streams; sync kinds seen: ${["DIFF", "SNAP", "TRUNC"].filter((sync) => files.some((file) => typesOf(file).has(sync))).join(", ")}`,
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}
