import { deriveRandom, type Random } from "../util/seeded-random.js";
import type { RecordedSession } from "./recorded-session.js";

/** The register workload's next operation, drawn from the seed. */
export type RegisterOpKind = "read" | "write" | "cas";

/** Relative weights of a worker's operations (a role's mix); absent kinds are never drawn. */
export interface OperationMix {
  readonly read?: number;
  /** A read after a sync: must see every write acknowledged before it. */
  readonly syncedRead?: number;
  readonly write?: number;
  readonly cas?: number;
}

/**
 * A worker on a few znodes used as compare-and-set registers, as Jepsen's
 * ZooKeeper test does: read, write (setData, any version) and cas (setData
 * with the version this worker last read, so it succeeds only if nothing was
 * written since). Values are unique integers: worker * 1e6 + sequence.
 */
export class RegisterWorker {
  private readonly random: Random;
  private sequence = 0;
  /** Last read value and version per register: the basis of this worker's next cas. */
  private readonly known = new Map<number, { value: number | null; version: number }>();

  constructor(
    readonly worker: number,
    readonly root: string,
    readonly registers: number,
    private readonly session: RecordedSession,
    seed: number | string,
    /** The worker's mix (default: 20% reads, 20% synced reads, 30% writes, 30% cas). */
    private readonly mix?: OperationMix,
  ) {
    this.random = deriveRandom(seed, "registers", worker);
  }

  /** Path of register k. */
  path(key: number): string {
    return `${this.root}/r${key}`;
  }

  /** The next operation kind and register, a pure function of the seed and the sequence. */
  next(): { kind: RegisterOpKind; key: number } {
    const roll = this.random();
    const key = Math.floor(this.random() * this.registers);
    const kind: RegisterOpKind = roll < 0.4 ? "read" : roll < 0.7 ? "write" : "cas";
    return { kind, key };
  }

  /** With a mix: the next kind (synced reads apart) and register, from the seed. */
  private nextMixed(mix: OperationMix): { kind: RegisterOpKind; key: number; synced: boolean } {
    const weights = [mix.read ?? 0, mix.syncedRead ?? 0, mix.write ?? 0, mix.cas ?? 0];
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let roll = this.random() * total;
    const key = Math.floor(this.random() * this.registers);
    let index = 0;
    while (index < 3 && roll >= (weights[index] as number)) roll -= weights[index++] as number;
    const kind: RegisterOpKind = index <= 1 ? "read" : index === 2 ? "write" : "cas";
    return { kind, key, synced: index === 1 };
  }

  /** Performs one operation and records it. */
  async step(): Promise<void> {
    const mixed = this.mix ? this.nextMixed(this.mix) : undefined;
    const { kind, key } = mixed ?? this.next();
    const path = this.path(key);
    // A cas needs a basis: without one this worker reads the register first.
    if (kind === "read" || (kind === "cas" && !this.known.has(key))) {
      // Half the reads follow a sync: those must see every write acknowledged before them.
      const synced = mixed ? mixed.synced || kind === "cas" : this.random() < 0.5;
      const outcome = await this.session.perform(
        "read",
        { key, value: null, ...(synced ? { synced } : {}) },
        async (session) => {
          if (synced) await session.sync(path);
          const { data, stat } = await session.getData(path);
          const text = data.toString();
          return { value: { key, value: text === "" ? null : Number(text) }, stat };
        },
      );
      if (outcome.type === "ok") {
        const value = outcome.result.value as { value: number | null };
        this.known.set(key, { value: value.value, version: outcome.result.stat?.version ?? -1 });
      }
      return;
    }
    const value = this.worker * 1_000_000 + ++this.sequence;
    if (kind === "write") {
      await this.session.perform("write", { key, value }, async (session) => ({
        stat: await session.setData(path, String(value)),
      }));
      return;
    }
    const basis = this.known.get(key) as { value: number | null; version: number };
    const outcome = await this.session.perform(
      "cas",
      { key, value: [basis.value, value], version: basis.version },
      async (session) => ({
        stat: await session.setData(path, String(value), basis.version),
      }),
    );
    if (outcome.type === "ok")
      this.known.set(key, { value, version: outcome.result.stat?.version ?? basis.version + 1 });
    else this.known.delete(key);
  }
}
