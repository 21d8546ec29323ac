/**
 * `--zk-config`, the same on every command: each value is one `key=value`
 * entry or a zoo.cfg file of them (a value with no `=` is a file). The
 * bounds the harness reads become settings; a file's layout keys (data
 * folders, ports, servers) are zk-chaos's own and are left out; the rest go
 * into zoo.cfg as they are.
 */
import { readFileSync } from "node:fs";
import { BadInputError } from "../errors.js";
import type { ZooKeeperSettings } from "./settings.js";

/** zoo.cfg keys the harness reads as settings (whole numbers). */
const NUMERIC = new Set([
  "tickTime",
  "initLimit",
  "syncLimit",
  "minSessionTimeout",
  "maxSessionTimeout",
]);
/** zoo.cfg keys that describe a layout zk-chaos makes itself. */
const LAYOUT = /^(dataDir|dataLogDir|clientPort|clientPortAddress|server\.\d+|dynamicConfigFile)$/;

/** One entry and where it came from (for messages). */
interface Entry {
  readonly key: string;
  readonly value: string;
  readonly where: string;
  /** Read from a zoo.cfg file (whose layout keys are skipped), not given alone. */
  readonly fromFile: boolean;
}

/** The entries of one --zk-config value: itself, or the lines of the file it names. */
function entriesOf(source: string): Entry[] {
  const equals = source.indexOf("=");
  if (equals > 0)
    return [
      {
        key: source.slice(0, equals).trim(),
        value: source.slice(equals + 1).trim(),
        where: `--zk-config ${source}`,
        fromFile: false,
      },
    ];
  let text: string;
  try {
    text = readFileSync(source, "utf8");
  } catch (error) {
    throw new BadInputError(
      `${source}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check --zk-config (a zoo.cfg file, or one key=value)`,
    );
  }
  const entries: Entry[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const at = line.indexOf("=");
    if (at <= 0) throw new BadInputError(`${source}:${index + 1}: '${line}' is not key=value`);
    entries.push({
      key: line.slice(0, at).trim(),
      value: line.slice(at + 1).trim(),
      where: `${source}:${index + 1}`,
      fromFile: true,
    });
  });
  return entries;
}

/** Setting overrides from --zk-config values (files and key=value entries; later ones win). */
export function settingsFromZkConfig(sources: readonly string[]): Partial<ZooKeeperSettings> {
  const overrides: Record<string, unknown> = {};
  const extra: Record<string, string> = {};
  for (const { key, value, where, fromFile } of sources.flatMap(entriesOf)) {
    // A production zoo.cfg names its own folders and servers; a layout key given alone is refused later, by name.
    if (fromFile && LAYOUT.test(key)) continue;
    if (NUMERIC.has(key)) {
      if (!/^\d+$/.test(value))
        throw new BadInputError(`${where}: ${key} must be a whole number, got '${value}'`);
      overrides[key] = Number(value);
    } else extra[key] = value;
  }
  return {
    ...overrides,
    ...(Object.keys(extra).length > 0 ? { extraConfig: extra } : {}),
  } as Partial<ZooKeeperSettings>;
}

/** Reads a zoo.cfg-style file into setting overrides (layout keys are zk-chaos's own). */
export function settingsFromZooCfg(file: string): Partial<ZooKeeperSettings> {
  return settingsFromZkConfig([file]);
}
