/**
 * Data damage on an ssh host: the same damage as locally (data-damage.ts),
 * made on a copy of the one file it touches, fetched from the host and
 * written back, so that wipes, torn writes and bit rot are the same bytes
 * for the same seed on every provider.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ZkChaosError } from "../../errors.js";
import type { SshHost } from "../../remote/ssh-host.js";
import { shellQuote } from "../../util/shell-quote.js";
import {
  type DamageReport,
  type DataDamage,
  damageData,
  NothingToDamageError,
  newestByZxid,
} from "../data-damage.js";

/** Damages the data under `dataDir` on `host` (the server must be stopped); `draw` as for damageData. */
export async function damageRemoteData(
  host: SshHost,
  dataDir: string,
  damage: DataDamage,
  draw: () => number,
): Promise<DamageReport> {
  const versionDir = join(dataDir, "version-2");
  if (damage === "wipe") {
    await host.run(`rm -rf -- ${shellQuote(versionDir)}`, `wiping ${versionDir}`);
    return { damage, files: [versionDir] };
  }
  const kind = damage === "flip-snapshot" ? "snapshot" : "log";
  const listing = await host.exec(`ls -1 -- ${shellQuote(versionDir)} 2>/dev/null`);
  const name = newestByZxid(listing.stdout.split("\n"), kind);
  if (name === undefined)
    throw new NothingToDamageError(
      `${host.name}: no ${kind} file to damage in ${versionDir}: the server has written none yet (start the fault later)`,
    );
  const remote = join(versionDir, name);
  const fetched = await host.exec(`cat -- ${shellQuote(remote)}`);
  if (fetched.code !== 0)
    throw new ZkChaosError(
      "SERVER_STATE",
      `${host.name}: cannot read ${remote}: ${fetched.stderr.trim()}`,
    );
  const local = mkdtempSync(join(tmpdir(), "zk-chaos-damage-"));
  try {
    mkdirSync(join(local, "version-2"));
    const copy = join(local, "version-2", name);
    writeFileSync(copy, fetched.stdoutBytes);
    const report = damageData([local], damage, draw);
    await host.run(
      `cat > ${shellQuote(`${remote}.part`)} && mv -f -- ${shellQuote(`${remote}.part`)} ${shellQuote(remote)}`,
      `writing ${remote} back`,
      readFileSync(copy),
    );
    return { ...report, files: [remote] };
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
}
