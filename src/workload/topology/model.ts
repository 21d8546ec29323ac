import { type PortData, parseData, type Table } from "../../topology/layout.js";
import type { CreateMode } from "../zk-session.js";

/** A znode as the model expects it. */
export interface ModelNode {
  readonly data: string;
  readonly version: number;
  readonly ephemeral: boolean;
}

/** One write of a change, with a path relative to the agent's root. */
export type RelativeOp =
  | {
      readonly op: "create";
      readonly path: string;
      readonly data: string;
      readonly mode?: CreateMode;
    }
  | { readonly op: "set"; readonly path: string; readonly data: string; readonly version: number }
  | { readonly op: "delete"; readonly path: string; readonly version: number }
  | { readonly op: "check"; readonly path: string; readonly version: number };

/**
 * The expected state of one agent's subtree: every znode with its data and
 * version. Commands read it for their preconditions and apply their change
 * to it when ZooKeeper acknowledged it.
 */
export class TopologyModel {
  readonly nodes = new Map<string, ModelNode>();
  private counter = 0;

  /** A fresh id with a prefix: b1, p2, ... unique in this agent. */
  nextId(prefix: string): string {
    this.counter++;
    return `${prefix}${this.counter}`;
  }

  has(path: string): boolean {
    return this.nodes.has(path);
  }

  version(path: string): number {
    return this.nodes.get(path)?.version ?? -1;
  }

  /** Direct children names of a path (sorted). */
  children(path: string): string[] {
    const prefix = `${path}/`;
    return [...this.nodes.keys()]
      .filter((key) => key.startsWith(prefix) && !key.slice(prefix.length).includes("/"))
      .map((key) => key.slice(prefix.length))
      .sort();
  }

  bridges(): string[] {
    return this.children("bridges");
  }

  routers(): string[] {
    return this.children("routers");
  }

  /** Device paths: bridges/<b> and routers/<r>. */
  devices(): string[] {
    return [
      ...this.bridges().map((b) => `bridges/${b}`),
      ...this.routers().map((r) => `routers/${r}`),
    ];
  }

  ports(): string[] {
    return this.children("ports");
  }

  port(id: string): PortData | undefined {
    return parseData<PortData>(this.nodes.get(`ports/${id}`)?.data);
  }

  tableEntries(bridge: string, table: Table): string[] {
    return this.children(`bridges/${bridge}/${table}`);
  }

  /** Applies an acknowledged change; `versions` are the new versions reported for set ops. */
  apply(
    ops: readonly RelativeOp[],
    createdPaths: readonly (string | undefined)[],
    versions: readonly (number | undefined)[],
  ): void {
    ops.forEach((op, index) => {
      if (op.op === "create") {
        const path = createdPaths[index] ?? op.path;
        this.nodes.set(path, {
          data: op.data,
          version: 0,
          ephemeral: op.mode?.startsWith("ephemeral") ?? false,
        });
      } else if (op.op === "set") {
        const old = this.nodes.get(op.path);
        this.nodes.set(op.path, {
          data: op.data,
          version: versions[index] ?? (old?.version ?? -1) + 1,
          ephemeral: old?.ephemeral ?? false,
        });
      } else if (op.op === "delete") {
        this.nodes.delete(op.path);
      }
    });
  }

  /** Forgets ephemeral znodes (their session ended). */
  dropEphemerals(): void {
    for (const [path, node] of this.nodes) if (node.ephemeral) this.nodes.delete(path);
  }

  /** The tree a server should hold once sessions are gone: persistent znodes only. */
  expectedTree(): Map<string, string> {
    return new Map(
      [...this.nodes]
        .filter(([, node]) => !node.ephemeral)
        .map(([path, node]) => [path, node.data]),
    );
  }
}
