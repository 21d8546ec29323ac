import { FOLDERS } from "../topology/layout.js";
import type { RecordedSession } from "./recorded-session.js";
import { readSnapshot } from "./subtree.js";
import type { TopologyAction } from "./topology/commands.js";
import { type RelativeOp, TopologyModel } from "./topology/model.js";
import type { MultiOp, ZkSession } from "./zk-session.js";

/** One simulated MidoNet agent: its subtree, its host, its model of what ZooKeeper holds. */
export class TopologyAgent {
  readonly model = new TopologyModel();
  readonly host: string;
  /** Data of the agent's root znode, once created. */
  rootData: string | undefined;
  private sequence = 0;

  constructor(
    readonly worker: number,
    readonly root: string,
    private readonly session: RecordedSession,
  ) {
    this.host = `h${worker}`;
  }

  /** A unique id for the next write. */
  writeId = (): string => `${this.worker}-${++this.sequence}`;

  private absolute(ops: readonly RelativeOp[]): MultiOp[] {
    return ops.map((op) => ({ ...op, path: `${this.root}/${op.path}` }));
  }

  /** Creates the agent's folders and host record, then registers the host (ephemeral). */
  async setup(): Promise<boolean> {
    if (this.rootData !== undefined) return true;
    const w = this.writeId();
    const ops: RelativeOp[] = [
      ...FOLDERS.map(
        (folder): RelativeOp => ({ op: "create", path: folder, data: JSON.stringify({ w }) }),
      ),
      {
        op: "create",
        path: `hosts/${this.host}`,
        data: JSON.stringify({
          kind: "host",
          uuid: `00000000-0000-4000-8000-${String(this.worker).padStart(12, "0")}`,
          ip: `10.1.${this.worker >> 8}.${this.worker & 255}`,
          w,
        }),
      },
    ];
    const outcome = await this.session.perform(
      "setup-agent",
      { root: this.root, ops },
      async (session) => {
        await session.multi([
          { op: "create", path: this.root, data: JSON.stringify({ w }) },
          ...this.absolute(ops),
        ]);
        return {};
      },
    );
    if (outcome.type !== "ok") return false;
    this.rootData = JSON.stringify({ w });
    this.model.apply(ops, [], []);
    await this.run({
      kind: "change",
      f: "register-host",
      ops: [
        {
          op: "create",
          path: `hosts/${this.host}/alive`,
          data: JSON.stringify({ w: this.writeId() }),
          mode: "ephemeral",
        },
      ],
    });
    return true;
  }

  /** Executes one action, records it, and updates the model on success. */
  async run(action: TopologyAction): Promise<void> {
    if (action.kind === "read-subtree") {
      await this.readSubtree(false);
      return;
    }
    const outcome = await this.session.perform(
      action.f,
      { root: this.root, ops: action.ops },
      async (session) => {
        const results = await session.multi(this.absolute(action.ops));
        const created = results.map((result) =>
          result.op === "create" ? result.path.slice(this.root.length + 1) : undefined,
        );
        const versions = results.map((result) =>
          result.op === "set" ? result.stat.version : undefined,
        );
        return { value: { root: this.root, ops: action.ops, created, versions } };
      },
    );
    if (outcome.type === "ok") {
      const value = outcome.result.value as {
        created: (string | undefined)[];
        versions: (number | undefined)[];
      };
      this.model.apply(action.ops, value.created, value.versions);
    } else if (outcome.type === "info") {
      // Unknown outcome: re-read the subtree so the model follows what ZooKeeper holds.
      await this.resync();
    }
  }

  /** Reads the agent's subtree as a consistent snapshot; its value is [data, version, mzxid] per path. */
  private readSubtree(resync: boolean) {
    return this.session.perform(
      "read-subtree",
      { root: this.root, resync },
      async (session: ZkSession) => {
        const snapshot = await readSnapshot(session, this.root);
        return {
          value: {
            root: this.root,
            consistent: snapshot.consistent,
            nodes: Object.fromEntries(
              [...snapshot.nodes].map(([path, node]) => [
                path,
                [node.data, node.version, node.mzxid],
              ]),
            ),
          },
        };
      },
    );
  }

  /** Rebuilds the model from a consistent read of the agent's subtree (recorded as a read). */
  async resync(): Promise<void> {
    const outcome = await this.readSubtree(true);
    if (outcome.type !== "ok") return;
    const value = outcome.result.value as {
      consistent: boolean;
      nodes: Record<string, [string, number, string]>;
    };
    if (!value.consistent) return;
    this.model.nodes.clear();
    for (const [path, [data, version]] of Object.entries(value.nodes)) {
      this.model.nodes.set(path, { data, version, ephemeral: path.endsWith("/alive") });
    }
  }
}
