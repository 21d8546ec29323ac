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
  /** The znode's data version after it, where the reply tells (sets). */
  readonly version?: number;
}

/** Every change of a history, by the watches it fires, each list in zxid order. */
export interface ChangeIndex {
  /** `${class}|${path}` -> changes in zxid order. */
  readonly known: ReadonlyMap<string, readonly KnownChange[]>;
  /**
   * `${class}|${path}` that a change of unknown zxid may have touched (an
   * unknown outcome, an ephemeral's end), with the zxid it must be above:
   * the highest any reply showed before that write was sent.
   */
  readonly uncertain: ReadonlyMap<string, Zxid>;
  /** `${path}#${version}` -> the sets that made that data version, in zxid order. */
  readonly byVersion: ReadonlyMap<string, readonly KnownChange[]>;
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
 * writes with the zxid of their reply (and, for sets, the version they
 * made). Writes of unknown outcome, and the end of every ephemeral znode (a
 * session's close or expiry, whose zxid no client sees), make the watches
 * they would fire uncertain from the zxid they must be above.
 */
export function indexChanges(events: readonly HistoryEvent[], registersRoot?: string): ChangeIndex {
  const known = new Map<string, KnownChange[]>();
  const uncertain = new Map<string, Zxid>();
  const byVersion = new Map<string, KnownChange[]>();
  const open = new Map<number, { invoke: HistoryEvent; floor: Zxid }>();
  let latest: Zxid = 0;
  const mayTouch = (key: string, floor: Zxid) => {
    const before = uncertain.get(key);
    if (before === undefined || compareZxid(floor, before) < 0) uncertain.set(key, floor);
  };
  for (const event of events) {
    if (typeof event.process !== "number") continue;
    if (event.type === "invoke") {
      open.set(event.process, { invoke: event, floor: latest });
      continue;
    }
    const started = open.get(event.process);
    open.delete(event.process);
    const zxid =
      event.type === "ok" && event.zxid !== undefined ? parseZxid(event.zxid) : undefined;
    if (zxid !== undefined && compareZxid(zxid, latest) > 0) latest = zxid;
    if (started === undefined || event.type === "fail") continue;
    const { invoke, floor } = started;
    for (const change of writtenChanges(invoke, event, registersRoot)) {
      const keys = firedKeys(change.kind, change.path);
      if (zxid === undefined) for (const key of keys) mayTouch(key, floor);
      else {
        const known_: KnownChange = {
          zxid,
          event: event.index,
          path: change.path,
          kind: change.kind,
          ...(change.version !== undefined ? { version: change.version } : {}),
        };
        for (const key of keys) entryOf(known, key, () => []).push(known_);
        if (change.version !== undefined)
          entryOf(byVersion, `${change.path}#${change.version}`, () => []).push(known_);
      }
      // Its end comes with a session's close or expiry: a change no reply names.
      if (change.ephemeral)
        for (const key of firedKeys("deleted", change.path)) mayTouch(key, zxid ?? floor);
    }
  }
  for (const list of [...known.values(), ...byVersion.values()])
    list.sort((a, b) => compareZxid(a.zxid, b.zxid));
  return { known, uncertain, byVersion };
}

/** The znodes a write changes, with the version each set left. */
function writtenChanges(
  invoke: HistoryEvent,
  completion: HistoryEvent,
  registersRoot: string | undefined,
): { path: string; kind: KnownChange["kind"]; ephemeral: boolean; version?: number }[] {
  if (registersRoot !== undefined && (invoke.f === "write" || invoke.f === "cas")) {
    const key = (invoke.value as { key?: unknown } | undefined)?.key;
    if (key === undefined) return [];
    const version = completion.type === "ok" ? completion.stat?.version : undefined;
    return [
      {
        path: `${registersRoot}/r${String(key)}`,
        kind: "changed",
        ephemeral: false,
        ...(version !== undefined ? { version } : {}),
      },
    ];
  }
  const versions =
    completion.type === "ok"
      ? (completion.value as { versions?: (number | undefined | null)[] } | undefined)?.versions
      : undefined;
  return topologyOps(invoke, completion).flatMap(({ path, op }, index) => {
    if (op.op === "check") return [];
    const kind = op.op === "create" ? "created" : op.op === "set" ? "changed" : "deleted";
    const version =
      kind === "changed" ? versions?.[index + (invoke.f === "setup-agent" ? -1 : 0)] : undefined;
    return [
      {
        path,
        kind,
        ephemeral: op.op === "create" && op.mode?.startsWith("ephemeral") === true,
        ...(typeof version === "number" ? { version } : {}),
      },
    ];
  });
}

/** True when a change of unknown zxid on `key` may have come before `change`: then it may be what fired. */
export function ambiguous(index: ChangeIndex, key: string, change: KnownChange): boolean {
  const floor = index.uncertain.get(key);
  return floor !== undefined && compareZxid(floor, change.zxid) < 0;
}

/** The set that made `path`'s data version `version` after `zxid`: what fired a watch set on the version before. */
export function changeToVersion(
  index: ChangeIndex,
  path: string,
  version: number,
  zxid: Zxid,
): KnownChange | undefined {
  return index.byVersion
    .get(`${path}#${version}`)
    ?.find((change) => compareZxid(change.zxid, zxid) > 0);
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
