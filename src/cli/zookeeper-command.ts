import { Command } from "commander";
import { BadInputError } from "../errors.js";
import {
  cachedRelease,
  cachedReleases,
  cacheRoot,
  fetchZooKeeper,
  listedVersions,
  removeCachedRelease,
} from "../zookeeper/release-cache.js";
import { RELEASE_LINES, releaseLine } from "../zookeeper/release-lines.js";
import { compareVersions } from "../zookeeper/version-range.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { parseVersionList } from "./parse-options.js";

const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/** The newest listed version of each release line zk-chaos knows. */
function newestPerLine(listed: readonly string[]): string[] {
  return RELEASE_LINES.map(
    (row) =>
      listed
        .filter((version) => /^\d+\.\d+\.\d+$/.test(version) && version.startsWith(`${row.line}.`))
        .sort(compareVersions)
        .at(-1) ?? "",
  ).filter((version) => version !== "");
}

/** The `zookeeper` command group: the cache of resolved releases. */
export function zookeeperCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  const group = new Command("zookeeper").description(
    `ZooKeeper releases resolved with Maven into the cache ($ZK_CHAOS_CACHE, now ${cacheRoot()})`,
  );
  group
    .command("list")
    .description("list cached releases; with --available, the versions the Maven repositories list")
    .option("--available", "also ask the repositories (through Maven, so mirrors apply)")
    .action((options: { available?: boolean }) =>
      setExit(
        (async () => {
          const cached = cachedReleases();
          if (cached.length === 0) io.out(`no release cached in ${cacheRoot()}\n`);
          for (const entry of cached)
            io.out(
              `${entry.version.padEnd(8)} ${String(entry.jars).padStart(3)} jars ${mib(entry.bytes).padStart(9)}  ${entry.dir}\n`,
            );
          if (options.available) {
            const listed = await listedVersions({ log: (line) => io.err(`zk-chaos: ${line}\n`) });
            const known = listed.filter((version) => {
              try {
                releaseLine(version);
                return /^\d+\.\d+\.\d+$/.test(version);
              } catch {
                return false;
              }
            });
            io.out(`listed by the repositories (3.4 to 3.9): ${known.join(" ")}\n`);
            io.out(`newest of each line: ${newestPerLine(known).join(" ")}\n`);
          }
          return ExitCode.ok;
        })(),
      ),
    );
  group
    .command("fetch")
    .description("resolve releases into the cache now (e.g. before going offline, or in CI)")
    // Parsed by commander, so a bad list is reported as the argument's error (exit 2).
    .argument("<versions>", "comma-separated x.y.z, e.g. 3.4.5,3.9.5", parseVersionList)
    .action((versions: string[]) =>
      setExit(
        (async () => {
          for (const version of versions) {
            const entry = await fetchZooKeeper(version, {
              log: (line) => io.err(`zk-chaos: ${line}\n`),
            });
            io.out(`${entry.version} ${entry.dir}\n`);
          }
          return ExitCode.ok;
        })(),
      ),
    );
  group
    .command("path")
    .description("print the cached release's folder (its lib/ holds the class path)")
    .argument("<version>", "x.y.z")
    .action((version: string) =>
      setExit(
        (async () => {
          const entry = cachedRelease(version);
          if (!entry)
            throw new BadInputError(
              `ZooKeeper ${version} is not cached: fetch it with 'zk-chaos zookeeper fetch ${version}'`,
            );
          io.out(`${entry.dir}\n`);
          return ExitCode.ok;
        })(),
      ),
    );
  group
    .command("remove")
    .description("remove a cached release")
    .argument("<version>", "x.y.z")
    .action((version: string) =>
      setExit(
        (async () => {
          io.out(
            removeCachedRelease(version)
              ? `removed ZooKeeper ${version} from the cache\n`
              : `ZooKeeper ${version} was not cached\n`,
          );
          return ExitCode.ok;
        })(),
      ),
    );
  return group;
}
