/**
 * The topology workload as transactions: each change is one multi (its ops
 * under the agent's root), each consistent read of an agent's subtree (two
 * passes that agree, so every value held at once) one atomic read of the
 * znodes it found. Values carry a unique write id, so a read names its
 * write; znodes created with a sequence number whose name the client never
 * learned (a multi of unknown outcome) cannot be named, so reads under such
 * a folder are left out.
 */
import type { HistoryEvent } from "../../history/event.js";
import { pairTransactions, txnFrame } from "./paired-txns.js";
import type { Mop, Txn } from "./txn.js";

/** A topology change as recorded: its ops relative to the agent's root, and on success the created paths. */
interface RecordedChange {
  readonly root: string;
  readonly ops: readonly {
    readonly op: "create" | "set" | "delete" | "check";
    readonly path: string;
    readonly data?: string;
    readonly version?: number;
    readonly mode?: string;
  }[];
  readonly created?: readonly (string | undefined)[];
}

/** A read of an agent's subtree: data, version and mzxid per relative path. */
interface RecordedSubtree {
  readonly root: string;
  readonly consistent?: boolean;
  readonly nodes?: Readonly<Record<string, readonly [string, number, string]>>;
}

const MOP_OF = { create: "create", set: "w", delete: "delete", check: "check" } as const;

const isChange = (value: unknown): value is RecordedChange =>
  typeof (value as RecordedChange | undefined)?.root === "string" &&
  Array.isArray((value as RecordedChange).ops);

/** Whether an invocation is the topology workload's: a change or a subtree read. */
export const isTopologyInvocation = (invoke: HistoryEvent): boolean =>
  invoke.f === "read-subtree" || isChange(invoke.value);

/** The topology workload's changes and consistent subtree reads, as transactions. */
export function topologyTransactions(events: readonly HistoryEvent[]): Txn[] {
  // Folders where a sequential znode was created under a name the client never learned.
  const unnamed = new Set<string>();
  const txns = pairTransactions(events, isTopologyInvocation, (invoke, completion) => {
    const frame = txnFrame(invoke, completion);
    if (invoke.f === "read-subtree") {
      const read = completion?.value as RecordedSubtree | undefined;
      if (frame.type !== "ok" || read?.consistent !== true || read.nodes === undefined)
        return undefined;
      return {
        ...frame,
        mops: Object.entries(read.nodes).map(
          ([path, [data, , mzxid]]): Mop => ({
            f: "r",
            key: `${read.root}/${path}`,
            value: data,
            mzxid,
          }),
        ),
      };
    }
    const change = (frame.type === "ok" ? completion?.value : invoke.value) as RecordedChange;
    const mops: Mop[] = [];
    change.ops.forEach((op, at) => {
      const created = change.created?.[at];
      if (op.mode?.endsWith("sequential") && created === undefined) {
        unnamed.add(`${change.root}/${op.path.slice(0, op.path.lastIndexOf("/") + 1)}`);
        return;
      }
      const key = `${change.root}/${created ?? op.path}`;
      mops.push({
        f: MOP_OF[op.op],
        key,
        value: op.op === "check" ? op.version : (op.data ?? null),
      });
    });
    return { ...frame, mops };
  });
  if (unnamed.size === 0) return txns;
  const named = (mop: Mop) => ![...unnamed].some((folder) => mop.key.startsWith(folder));
  return txns.map((txn) =>
    txn.mops.every(named) ? txn : { ...txn, mops: txn.mops.filter(named) },
  );
}
