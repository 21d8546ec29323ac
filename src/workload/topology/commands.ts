import fc from "fast-check";
import { TABLES, type Table } from "../../topology/layout.js";
import { deriveRandom } from "../../util/seeded-random.js";
import type { RelativeOp, TopologyModel } from "./model.js";

/** What a command asks of ZooKeeper: an atomic change or a snapshot read. */
export type TopologyAction =
  | { readonly kind: "change"; readonly f: string; readonly ops: readonly RelativeOp[] }
  | { readonly kind: "read-subtree"; readonly f: "read-subtree" };

/** Runs actions; the worker implements it (records, executes, updates the model). */
export interface ActionRunner {
  run(action: TopologyAction): Promise<void>;
}

/** Everything a command needs to plan: the model, this agent's host, and a write id source. */
export interface PlanContext {
  readonly model: TopologyModel;
  readonly host: string;
  /** A unique id for the next write (worker and sequence). */
  writeId(): string;
}

/** A topology command: a precondition on the model and the action it plans. */
export abstract class TopologyCommand implements fc.AsyncCommand<PlanContext, ActionRunner> {
  abstract check(context: Readonly<PlanContext>): boolean;
  abstract plan(context: PlanContext): TopologyAction;
  abstract toString(): string;

  async run(context: PlanContext, runner: ActionRunner): Promise<void> {
    await runner.run(this.plan(context));
  }
}

const json = (value: Record<string, unknown>) => JSON.stringify(value);
const LIMITS = { bridges: 6, routers: 4, ports: 24, entries: 12 };
const at = <T>(items: readonly T[], index: number): T => items[index % items.length] as T;

class CreateBridge extends TopologyCommand {
  check({ model }: PlanContext) {
    return model.bridges().length < LIMITS.bridges;
  }
  plan({ model, writeId }: PlanContext): TopologyAction {
    const id = model.nextId("b");
    const w = writeId();
    return {
      kind: "change",
      f: "create-bridge",
      ops: [
        {
          op: "create",
          path: `bridges/${id}`,
          data: json({ kind: "bridge", name: `bridge-${id}`, w }),
        },
        ...TABLES.map(
          (table): RelativeOp => ({
            op: "create",
            path: `bridges/${id}/${table}`,
            data: json({ w }),
          }),
        ),
      ],
    };
  }
  toString() {
    return "CreateBridge";
  }
}

class CreateRouter extends TopologyCommand {
  check({ model }: PlanContext) {
    return model.routers().length < LIMITS.routers;
  }
  plan({ model, writeId }: PlanContext): TopologyAction {
    const id = model.nextId("r");
    return {
      kind: "change",
      f: "create-router",
      ops: [
        {
          op: "create",
          path: `routers/${id}`,
          data: json({ kind: "router", name: `router-${id}`, w: writeId() }),
        },
      ],
    };
  }
  toString() {
    return "CreateRouter";
  }
}

class AddPort extends TopologyCommand {
  constructor(private readonly device: number) {
    super();
  }
  check({ model }: PlanContext) {
    return model.devices().length > 0 && model.ports().length < LIMITS.ports;
  }
  plan({ model, writeId }: PlanContext): TopologyAction {
    const device = at(model.devices(), this.device);
    const id = model.nextId("p");
    return {
      kind: "change",
      f: "add-port",
      ops: [
        { op: "check", path: device, version: model.version(device) },
        {
          op: "create",
          path: `ports/${id}`,
          data: json({ kind: "port", device, peer: null, w: writeId() }),
        },
      ],
    };
  }
  toString() {
    return `AddPort(${this.device})`;
  }
}

function portData(model: TopologyModel, id: string, peer: string | null, w: string): string {
  const port = model.port(id);
  return json({ kind: "port", device: port?.device ?? "", peer, w });
}

class LinkPorts extends TopologyCommand {
  constructor(
    private readonly first: number,
    private readonly second: number,
  ) {
    super();
  }
  private free(model: TopologyModel): string[] {
    return model.ports().filter((id) => model.port(id)?.peer === null);
  }
  check({ model }: PlanContext) {
    return this.free(model).length >= 2;
  }
  plan({ model, writeId }: PlanContext): TopologyAction {
    const free = this.free(model);
    const a = at(free, this.first);
    const rest = free.filter((id) => id !== a);
    const b = at(rest, this.second);
    const w = writeId();
    return {
      kind: "change",
      f: "link-ports",
      ops: [
        {
          op: "set",
          path: `ports/${a}`,
          data: portData(model, a, b, w),
          version: model.version(`ports/${a}`),
        },
        {
          op: "set",
          path: `ports/${b}`,
          data: portData(model, b, a, w),
          version: model.version(`ports/${b}`),
        },
      ],
    };
  }
  toString() {
    return `LinkPorts(${this.first},${this.second})`;
  }
}

class UnlinkPort extends TopologyCommand {
  constructor(private readonly index: number) {
    super();
  }
  private linked(model: TopologyModel): string[] {
    return model.ports().filter((id) => (model.port(id)?.peer ?? null) !== null);
  }
  check({ model }: PlanContext) {
    return this.linked(model).length > 0;
  }
  plan({ model, writeId }: PlanContext): TopologyAction {
    const a = at(this.linked(model), this.index);
    const b = model.port(a)?.peer as string;
    const w = writeId();
    return {
      kind: "change",
      f: "unlink-ports",
      ops: [
        {
          op: "set",
          path: `ports/${a}`,
          data: portData(model, a, null, w),
          version: model.version(`ports/${a}`),
        },
        {
          op: "set",
          path: `ports/${b}`,
          data: portData(model, b, null, w),
          version: model.version(`ports/${b}`),
        },
      ],
    };
  }
  toString() {
    return `UnlinkPort(${this.index})`;
  }
}

class BindVm extends TopologyCommand {
  constructor(private readonly index: number) {
    super();
  }
  private unbound(model: TopologyModel): string[] {
    return model.ports().filter((id) => !model.has(`bindings/${id}`));
  }
  check({ model, host }: PlanContext) {
    return model.has(`hosts/${host}`) && this.unbound(model).length > 0;
  }
  plan({ model, host, writeId }: PlanContext): TopologyAction {
    const port = at(this.unbound(model), this.index);
    const w = writeId();
    return {
      kind: "change",
      f: "bind-vm",
      ops: [
        { op: "check", path: `hosts/${host}`, version: model.version(`hosts/${host}`) },
        { op: "check", path: `ports/${port}`, version: model.version(`ports/${port}`) },
        { op: "create", path: `bindings/${port}`, data: json({ host, vm: `vm-${w}`, w }) },
      ],
    };
  }
  toString() {
    return `BindVm(${this.index})`;
  }
}

class UnbindVm extends TopologyCommand {
  constructor(private readonly index: number) {
    super();
  }
  check({ model }: PlanContext) {
    return model.children("bindings").length > 0;
  }
  plan({ model }: PlanContext): TopologyAction {
    const port = at(model.children("bindings"), this.index);
    return {
      kind: "change",
      f: "unbind-vm",
      ops: [{ op: "delete", path: `bindings/${port}`, version: model.version(`bindings/${port}`) }],
    };
  }
  toString() {
    return `UnbindVm(${this.index})`;
  }
}

class SetEntry extends TopologyCommand {
  constructor(
    private readonly table: Table,
    private readonly bridge: number,
    private readonly key: number,
    private readonly value: number,
  ) {
    super();
  }
  private target(model: TopologyModel): { bridge: string; path: string } {
    const bridge = at(model.bridges(), this.bridge);
    const key =
      this.table === "mac"
        ? `02:00:00:00:00:${this.key.toString(16).padStart(2, "0")}`
        : `10.0.0.${this.key}`;
    return { bridge, path: `bridges/${bridge}/${this.table}/${key}` };
  }
  check({ model }: PlanContext) {
    if (model.bridges().length === 0) return false;
    const { bridge, path } = this.target(model);
    return model.has(path) || model.tableEntries(bridge, this.table).length < LIMITS.entries;
  }
  plan({ model, writeId }: PlanContext): TopologyAction {
    const { path } = this.target(model);
    const w = writeId();
    const data =
      this.table === "mac"
        ? json({ port: `p${this.value}`, w })
        : json({ mac: `02:00:00:00:01:${this.value.toString(16).padStart(2, "0")}`, w });
    const op: RelativeOp = model.has(path)
      ? { op: "set", path, data, version: model.version(path) }
      : { op: "create", path, data };
    return { kind: "change", f: `set-${this.table}`, ops: [op] };
  }
  toString() {
    return `Set${this.table}(${this.bridge},${this.key},${this.value})`;
  }
}

class DeleteEntry extends TopologyCommand {
  constructor(
    private readonly table: Table,
    private readonly index: number,
  ) {
    super();
  }
  private entries(model: TopologyModel): string[] {
    return model
      .bridges()
      .flatMap((bridge) =>
        model
          .tableEntries(bridge, this.table)
          .map((key) => `bridges/${bridge}/${this.table}/${key}`),
      );
  }
  check({ model }: PlanContext) {
    return this.entries(model).length > 0;
  }
  plan({ model }: PlanContext): TopologyAction {
    const path = at(this.entries(model), this.index);
    return {
      kind: "change",
      f: `delete-${this.table}`,
      ops: [{ op: "delete", path, version: model.version(path) }],
    };
  }
  toString() {
    return `Delete${this.table}(${this.index})`;
  }
}

class DeleteDevice extends TopologyCommand {
  constructor(private readonly index: number) {
    super();
  }
  check({ model }: PlanContext) {
    return model.devices().length > 0;
  }
  plan({ model, writeId }: PlanContext): TopologyAction {
    const device = at(model.devices(), this.index);
    const ops: RelativeOp[] = [];
    const w = writeId();
    const own = model.ports().filter((id) => model.port(id)?.device === device);
    for (const id of own) {
      const peer = model.port(id)?.peer;
      // Unlink peers on other devices in the same multi, so no link is left half-made.
      if (peer && !own.includes(peer)) {
        ops.push({
          op: "set",
          path: `ports/${peer}`,
          data: portData(model, peer, null, w),
          version: model.version(`ports/${peer}`),
        });
      }
      if (model.has(`bindings/${id}`))
        ops.push({
          op: "delete",
          path: `bindings/${id}`,
          version: model.version(`bindings/${id}`),
        });
      ops.push({ op: "delete", path: `ports/${id}`, version: model.version(`ports/${id}`) });
    }
    if (device.startsWith("bridges/")) {
      const bridge = device.slice("bridges/".length);
      for (const table of TABLES) {
        for (const key of model.tableEntries(bridge, table)) {
          const path = `${device}/${table}/${key}`;
          ops.push({ op: "delete", path, version: model.version(path) });
        }
        ops.push({
          op: "delete",
          path: `${device}/${table}`,
          version: model.version(`${device}/${table}`),
        });
      }
    }
    ops.push({ op: "delete", path: device, version: model.version(device) });
    return {
      kind: "change",
      f: device.startsWith("bridges/") ? "delete-bridge" : "delete-router",
      ops,
    };
  }
  toString() {
    return `DeleteDevice(${this.index})`;
  }
}

class RegisterHost extends TopologyCommand {
  check({ model, host }: PlanContext) {
    return model.has(`hosts/${host}`) && !model.has(`hosts/${host}/alive`);
  }
  plan({ host, writeId }: PlanContext): TopologyAction {
    return {
      kind: "change",
      f: "register-host",
      ops: [
        {
          op: "create",
          path: `hosts/${host}/alive`,
          data: json({ w: writeId() }),
          mode: "ephemeral",
        },
      ],
    };
  }
  toString() {
    return "RegisterHost";
  }
}

class DeregisterHost extends TopologyCommand {
  check({ model, host }: PlanContext) {
    return model.has(`hosts/${host}/alive`);
  }
  plan({ model, host }: PlanContext): TopologyAction {
    return {
      kind: "change",
      f: "deregister-host",
      ops: [
        {
          op: "delete",
          path: `hosts/${host}/alive`,
          version: model.version(`hosts/${host}/alive`),
        },
      ],
    };
  }
  toString() {
    return "DeregisterHost";
  }
}

class AppendLog extends TopologyCommand {
  check() {
    return true;
  }
  plan({ writeId }: PlanContext): TopologyAction {
    return {
      kind: "change",
      f: "append-log",
      ops: [
        {
          op: "create",
          path: "log/entry-",
          data: json({ w: writeId() }),
          mode: "persistent-sequential",
        },
      ],
    };
  }
  toString() {
    return "AppendLog";
  }
}

class ReadSubtree extends TopologyCommand {
  check() {
    return true;
  }
  plan(): TopologyAction {
    return { kind: "read-subtree", f: "read-subtree" };
  }
  toString() {
    return "ReadSubtree";
  }
}

const index = fc.nat({ max: 1000 });
const table = fc.constantFrom(...TABLES);

/** The command mix, weighted like an agent's life: many table writes, some structure changes, reads. */
const COMMAND_ARBITRARIES: fc.Arbitrary<TopologyCommand>[] = [
  fc.constant(new CreateBridge()),
  fc.constant(new CreateRouter()),
  index.map((i) => new AddPort(i)),
  index.map((i) => new AddPort(i)),
  fc.tuple(index, index).map(([a, b]) => new LinkPorts(a, b)),
  index.map((i) => new UnlinkPort(i)),
  index.map((i) => new BindVm(i)),
  index.map((i) => new UnbindVm(i)),
  fc
    .tuple(table, index, fc.nat({ max: 20 }), fc.nat({ max: 255 }))
    .map(([t, b, k, v]) => new SetEntry(t, b, k, v)),
  fc
    .tuple(table, index, fc.nat({ max: 20 }), fc.nat({ max: 255 }))
    .map(([t, b, k, v]) => new SetEntry(t, b, k, v)),
  fc.tuple(table, index).map(([t, i]) => new DeleteEntry(t, i)),
  index.map((i) => new DeleteDevice(i)),
  fc.constant(new RegisterHost()),
  fc.constant(new DeregisterHost()),
  fc.constant(new AppendLog()),
  fc.constant(new ReadSubtree()),
  fc.constant(new ReadSubtree()),
];

/** Commands per generated chunk; a worker draws chunk after chunk until its time or op budget ends. */
export const CHUNK = 200;

/**
 * The k-th chunk of a worker's command sequence: a pure function of
 * (seed, worker, k), drawn by fast-check's model-based command generator.
 */
export function topologyCommandChunk(
  seed: number | string,
  worker: number,
  chunk: number,
): TopologyCommand[] {
  const chunkSeed = Math.floor(deriveRandom(seed, "topology", worker, chunk)() * 2 ** 31);
  const arbitrary = fc.commands(COMMAND_ARBITRARIES, { maxCommands: CHUNK, size: "max" });
  const [commands] = fc.sample(arbitrary, { seed: chunkSeed, numRuns: 1 });
  // fast-check hands out its wrappers (for shrinking); the command is inside.
  return [...(commands ?? [])].map(
    (wrapper) =>
      (wrapper as unknown as { cmd?: TopologyCommand }).cmd ?? (wrapper as TopologyCommand),
  );
}
