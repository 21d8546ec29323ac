import { deriveRandom, type Random } from "../util/seeded-random.js";
import type { RecordedSession } from "./recorded-session.js";

/** The register workload's next operation, drawn from the seed. */
export type RegisterOpKind = "read" | "write" | "cas";

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

  /** Performs one operation and records it. */
  async step(): Promise<void> {
    const { kind, key } = this.next();
    const path = this.path(key);
    // A cas needs a basis: without one this worker reads the register first.
    if (kind === "read" || (kind === "cas" && !this.known.has(key))) {
      // Half the reads follow a sync: those must see every write acknowledged before them.
      const synced = this.random() < 0.5;
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
