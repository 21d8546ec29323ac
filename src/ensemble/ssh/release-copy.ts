/**
 * Releases copied to the ssh provider's hosts: a version resolved into this
 * machine's cache (Maven Central) is copied to each host once, under the
 * inventory's work folder, so that hosts need only a Java to run any release.
 */
import { readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { SshHost } from "../../remote/ssh-host.js";
import { shellQuote } from "../../util/shell-quote.js";
import type { ZooKeeperInstall } from "../../zookeeper/install.js";

/** Where a release's jars go on a host: kept between runs, removed by `ensemble reap --inventory`. */
export function remoteReleaseDir(workDir: string, version: string): string {
  return join(workDir, "releases", version);
}

/**
 * Copies the install's jars to the host (only those missing or of another
 * size; each written whole before it takes its name) and returns the host's
 * class path for them.
 */
export async function copyRelease(
  host: SshHost,
  install: ZooKeeperInstall,
  workDir: string,
): Promise<{ classPath: string[]; copiedBytes: number }> {
  const dir = remoteReleaseDir(workDir, install.version);
  await host.run(`mkdir -p ${shellQuote(dir)}`, `making ${dir}`);
  const present = new Map<string, number>();
  const listing = await host.exec(`cd ${shellQuote(dir)} && stat -c '%s %n' -- *.jar 2>/dev/null`);
  for (const line of listing.stdout.split("\n")) {
    const match = /^(\d+) (.+)$/.exec(line);
    if (match) present.set(match[2] as string, Number(match[1]));
  }
  const classPath: string[] = [];
  let copiedBytes = 0;
  for (const jar of install.classPath) {
    const name = basename(jar);
    const target = join(dir, name);
    classPath.push(target);
    const size = statSync(jar).size;
    if (present.get(name) === size) continue;
    const part = `${target}.part`;
    await host.run(
      `cat > ${shellQuote(part)} && mv -f -- ${shellQuote(part)} ${shellQuote(target)}`,
      `copying ${name}`,
      readFileSync(jar),
    );
    copiedBytes += size;
  }
  return { classPath, copiedBytes };
}
