import { readFileSync } from "node:fs";
import { BadInputError } from "../errors.js";
import { parseEdn } from "./edn-values.js";
import type { ImportedEvent } from "./imported-ops.js";

/**
 * An operation line of a Jepsen log, old style (`INFO  jepsen.util - 3\t:invoke\t:read\tnil`,
 * as in Porcupine's etcd data; tab- or space-separated) or new style
 * (`2017-01-01 00:00:00,000{GMT}\tINFO\t[jepsen worker 3] jepsen.util: 3\t:invoke\t:read\tnil`).
 */
const LINE =
  /(?:^|\s)INFO\s+(?:\[[^\]]*\]\s+)?jepsen\.util\s*(?:-|:)\s+(\S+)\s+:(\w+)\s+:([\w-]+)\s*(.*)$/;
const TYPES = new Set(["invoke", "ok", "fail", "info"]);

/**
 * Reads the operations of a Jepsen log (Porcupine's etcd test data, or a
 * whole jepsen.log): lines that are not jepsen.util operation lines (set-up,
 * nemesis, teardown) are skipped; an operation line that is broken names its line.
 */
export function readPorcupineLog(path: string): ImportedEvent[] {
  const text = readText(path);
  const events: ImportedEvent[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line === "") return;
    const match = LINE.exec(line);
    if (match === null) return;
    const [, process, type, f, rest] = match as unknown as [string, string, string, string, string];
    if (!TYPES.has(type)) return;
    // The nemesis logs through jepsen.util too; it is not a client.
    if (!/^\d+$/.test(process)) return;
    const { value, note } = splitValue(rest, path, index + 1);
    events.push({
      process: /^\d+$/.test(process) ? Number(process) : process,
      type: type as ImportedEvent["type"],
      f,
      value,
      note,
      line: index + 1,
    });
  });
  // An empty history is one (Knossos and Porcupine call it linearizable): the checker says so.
  if (text.trim() === "") return [];
  if (events.length === 0)
    throw new BadInputError(
      `${path}: no operations in it (no "INFO jepsen.util - <process> :<type> :<f> <value>" lines): nothing to check`,
    );
  return events;
}

/** Splits "<edn value> [:note]" (or a lone ":note" such as :timed-out) into the parsed value and the note. */
function splitValue(rest: string, path: string, line: number): { value: unknown; note?: string } {
  const text = rest.trim();
  const lone = /^:([\w-]+)$/.exec(text);
  if (lone) return { value: null, note: lone[1] };
  const trailing = /^(.*\S)\s+:([\w-]+)$/.exec(text);
  const valueText = trailing ? (trailing[1] as string) : text;
  try {
    const value = parseEdn(valueText === "" ? "nil" : valueText);
    return trailing ? { value, note: trailing[2] } : { value };
  } catch (error) {
    throw new BadInputError(
      `${path}:${line}: value '${valueText}' is not EDN (${(error as Error).message})`,
    );
  }
}

/** Reads a file, naming it when it cannot. */
export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new BadInputError(
      `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path`,
    );
  }
}
