import { type HistoryEvent, parseZxid, type Zxid } from "../../history/event.js";
import { entryOf } from "../../util/map-entry.js";

/** Which watches a change fires: a znode's data (and existence) watches, or its parent's child watches. */
export type WatchClass = "data" | "child";

/** One committed change the history proves, with its zxid (from the write's reply). */
export interface KnownChange {
  readonly zxid: Zxid;
  /** The write's completion event. */
  readonly event: number;
  readonly path: string;
  readonly kind: "created" | "changed" | "deleted";
}

/** Every change of a history, by the watches it fires, each list in zxid order. */
export interface ChangeIndex {
  /** `${class}|${path}` -> changes in zxid order. */
  readonly known: ReadonlyMap<string, readonly KnownChange[]>;
  /** `${class}|${path}` that some change of unknown zxid touched (an unknown outcome, an ephemeral's end). */
  readonly uncertain: ReadonlySet<string>;
}

interface WriteOp {
  readonly op: string;
  readonly path: string;
  readonly mode?: string;
}

const parentOf = (path: string) => path.slice(0, Math.max(0, path.lastIndexOf("/"))) || "/";

/** Compares zxids that may be numbers or bigints. */
export function compareZxid(a: Zxid, b: Zxid): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The keys a change of `kind` at `path` fires. */
function firedKeys(kind: KnownChange["kind"], path: string): string[] {
  const parent = `child|${parentOf(path)}`;
  if (kind === "changed") return [`data|${path}`];
  if (kind === "created") return [`data|${path}`, parent];
  return [`data|${path}`, `child|${path}`, parent];
}

/** A topology write's znodes, absolute: its ops under its root, sequential names as created. */
function topologyOps(
  invoke: HistoryEvent,
  completion: HistoryEvent,
): { path: string; op: WriteOp }[] {
  const value = (completion.type === "ok" ? completion.value : invoke.value) as
    | { root?: string; ops?: WriteOp[]; created?: (string | undefined)[] }
    | undefined;
  if (typeof value?.root !== "string" || !Array.isArray(value.ops)) return [];
  const root = value.root;
  const ops = value.ops.map((op, index) => ({
    path: `${root}/${value.created?.[index] ?? op.path}`,
    op,
  }));
  // The agent's setup also creates its root in the same multi.
  if (invoke.f === "setup-agent") ops.unshift({ path: root, op: { op: "create", path: "" } });
  return ops;
}

/**
 * Indexes the changes the history proves: topology multis and register
 * writes with the zxid of their reply. Writes of unknown outcome, and the end
 * of every ephemeral znode (a session's close or expiry, whose zxid no client
 * sees), make the watches they would fire uncertain.
 */
export function indexChanges(events: readonly HistoryEvent[], registersRoot?: string): ChangeIndex {
  const known = new Map<string, KnownChange[]>();
  const uncertain = new Set<string>();
  const open = new Map<number, HistoryEvent>();
  for (const event of events) {
    if (typeof event.process !== "number") continue;
    if (event.type === "invoke") {
      open.set(event.process, event);
      continue;
    }
    const invoke = open.get(event.process);
    open.delete(event.process);
    if (invoke === undefined || event.type === "fail") continue;
    const changes: { path: string; kind: KnownChange["kind"]; ephemeral: boolean }[] = [];
    if (registersRoot !== undefined && (invoke.f === "write" || invoke.f === "cas")) {
      const key = (invoke.value as { key?: unknown } | undefined)?.key;
      if (key !== undefined)
        changes.push({
          path: `${registersRoot}/r${String(key)}`,
          kind: "changed",
          ephemeral: false,
        });
    } else {
      for (const { path, op } of topologyOps(invoke, event)) {
        if (op.op === "check") continue;
        const kind = op.op === "create" ? "created" : op.op === "set" ? "changed" : "deleted";
        changes.push({
          path,
          kind,
          ephemeral: op.op === "create" && op.mode?.startsWith("ephemeral") === true,
        });
      }
    }
    const zxid =
      event.type === "ok" && event.zxid !== undefined ? parseZxid(event.zxid) : undefined;
    for (const change of changes) {
      const keys = firedKeys(change.kind, change.path);
      if (zxid === undefined) for (const key of keys) uncertain.add(key);
      else
        for (const key of keys) {
          entryOf(known, key, () => []).push({
            zxid,
            event: event.index,
            path: change.path,
            kind: change.kind,
          });
        }
      // Its end comes with a session's close or expiry: a change no reply names.
      if (change.ephemeral) for (const key of firedKeys("deleted", change.path)) uncertain.add(key);
    }
  }
  for (const list of known.values()) list.sort((a, b) => compareZxid(a.zxid, b.zxid));
  return { known, uncertain };
}

/** The first known change on `key` after `zxid`, if any. */
export function firstChangeAfter(
  index: ChangeIndex,
  key: string,
  zxid: Zxid,
): KnownChange | undefined {
  const list = index.known.get(key);
  if (list === undefined) return undefined;
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compareZxid((list[middle] as KnownChange).zxid, zxid) <= 0) low = middle + 1;
    else high = middle;
  }
  return list[low];
}
