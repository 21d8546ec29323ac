/**
 * What operators and failing disks do to a server's data: wipe it (the
 * classic mistake: a "clean" reinstall), cut the tail off the newest
 * transaction log (a torn write), or flip bytes in the newest log or
 * snapshot (bit rot). The server must be down meanwhile; what ZooKeeper then
 * does (refuse to start, resynchronise, or serve damaged data) is for the
 * checkers to see. The server id file (myid) is kept: without it the server
 * would not start at all, which is no test of its recovery.
 */
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { ZkChaosError } from "../errors.js";

/**
 * The damage found nothing to damage: the server has no file of the kind, or
 * none with a transaction (e.g. just resynchronised from a snapshot).
 */
export class NothingToDamageError extends ZkChaosError {
  constructor(message: string) {
    super("SERVER_STATE", message);
    this.name = "NothingToDamageError";
  }
}

/** Ways to damage a server's data. */
export type DataDamage = "wipe" | "truncate-log" | "flip-log" | "flip-snapshot";

/** What was done, for the history. */
export interface DamageReport {
  readonly damage: DataDamage;
  /** Files removed or changed. */
  readonly files: readonly string[];
  /** Where bytes were cut or flipped, and how many. */
  readonly offset?: number;
  readonly bytes?: number;
}

/** The folders that hold a server's ZooKeeper data (`version-2` under the data dir and, if separate, the log dir). */
export function versionDirs(dataDirs: readonly string[]): string[] {
  return dataDirs.map((dir) => join(dir, "version-2")).filter((dir) => existsSync(dir));
}

/** The newest file of a kind (log.<zxid> or snapshot.<zxid>, zxid in hex) among the folders. */
function newest(dirs: readonly string[], prefix: "log" | "snapshot"): string | undefined {
  const found = dirs.flatMap((dir) => {
    const name = newestByZxid(readdirSync(dir), prefix);
    return name === undefined ? [] : [{ dir, name, zxid: BigInt(`0x${name.split(".")[1]}`) }];
  });
  const best = found.sort((a, b) => (a.zxid < b.zxid ? 1 : a.zxid > b.zxid ? -1 : 0))[0];
  return best === undefined ? undefined : join(best.dir, best.name);
}

/** The newest file of a kind (log.<zxid>, snapshot.<zxid>) among names, by zxid. */
export function newestByZxid(
  names: readonly string[],
  prefix: "log" | "snapshot",
): string | undefined {
  let best: { name: string; zxid: bigint } | undefined;
  for (const name of names) {
    const match = new RegExp(`^${prefix}\\.([0-9a-f]+)$`).exec(name);
    if (match === null) continue;
    const zxid = BigInt(`0x${match[1]}`);
    if (best === undefined || zxid > best.zxid) best = { name, zxid };
  }
  return best?.name;
}

/**
 * The length of a transaction log's written part: logs are preallocated with
 * zeros, and every record ends with the byte 'B' (0x42), so the written part
 * ends at the last non-zero byte.
 */
export function writtenLength(file: string): number {
  const size = statSync(file).size;
  const fd = openSync(file, "r");
  try {
    const chunk = Buffer.alloc(64 * 1024);
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const read = readSync(fd, chunk, 0, end - start, start);
      for (let i = read - 1; i >= 0; i--) if (chunk[i] !== 0) return start + i + 1;
      end = start;
    }
    return 0;
  } finally {
    closeSync(fd);
  }
}

/** Flips `count` bytes of `file` from `offset` (each XOR 0xff). */
function flipBytes(file: string, offset: number, count: number): void {
  const fd = openSync(file, "r+");
  try {
    const bytes = Buffer.alloc(count);
    readSync(fd, bytes, 0, count, offset);
    for (let i = 0; i < count; i++) bytes[i] = (bytes[i] as number) ^ 0xff;
    writeSync(fd, bytes, 0, count, offset);
  } finally {
    closeSync(fd);
  }
}

/** A file's header (magic, version, dbid): damage goes after it, into the transactions or the tree. */
const HEADER_BYTES = 16;

/**
 * Damages a stopped server's data; `draw` gives numbers in [0, 1) from the
 * run's seed, so the same seed damages the same bytes.
 */
export function damageData(
  dataDirs: readonly string[],
  damage: DataDamage,
  draw: () => number,
): DamageReport {
  const dirs = versionDirs(dataDirs);
  if (damage === "wipe") {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    return { damage, files: dirs };
  }
  const kind = damage === "flip-snapshot" ? "snapshot" : "log";
  const file = newest(dirs, kind);
  if (file === undefined) {
    throw new NothingToDamageError(
      `no ${kind} file to damage in ${dataDirs.join(", ")}: the server has written none yet (start the fault later)`,
    );
  }
  const length = kind === "log" ? writtenLength(file) : statSync(file).size;
  if (length <= HEADER_BYTES + 8) {
    throw new NothingToDamageError(`${file} holds no transaction yet: start the fault later`);
  }
  if (damage === "truncate-log") {
    // Cut inside the last records, as a torn write would: up to 200 bytes, never the header.
    const cut = 1 + Math.floor(draw() * Math.min(200, length - HEADER_BYTES - 1));
    truncateSync(file, length - cut);
    return { damage, files: [file], offset: length - cut, bytes: cut };
  }
  const bytes = 8;
  const offset = HEADER_BYTES + Math.floor(draw() * (length - HEADER_BYTES - bytes));
  flipBytes(file, offset, bytes);
  return { damage, files: [file], offset, bytes };
}
