import { readFileSync } from "node:fs";
import { parseEDNString } from "edn-data";
import { BadInputError } from "../errors.js";
import type { ImportedEvent } from "./imported-ops.js";

// Fields are tab-separated in most files and space-aligned in some.
const LINE = /^INFO\s+jepsen\.util\s+-\s+(\S+)\s+:(\w+)\s+:([\w-]+)\s*(.*)$/;
const TYPES = new Set(["invoke", "ok", "fail", "info"]);

/** Reads a Jepsen log as Porcupine's etcd test data has it: `INFO jepsen.util - <process>\t:<type>\t:<f>\t<value>`. */
export function readPorcupineLog(path: string): ImportedEvent[] {
  const text = readText(path);
  const events: ImportedEvent[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trimEnd();
    if (line === "") return;
    const match = LINE.exec(line);
    if (match === null) {
      throw new BadInputError(
        `${path}:${index + 1}: not a Jepsen log line (INFO jepsen.util - <process>\\t:<type>\\t:<f>\\t<value>)`,
      );
    }
    const [, process, type, f, rest] = match as unknown as [string, string, string, string, string];
    if (!TYPES.has(type)) throw new BadInputError(`${path}:${index + 1}: unknown type :${type}`);
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
  if (events.length === 0)
    throw new BadInputError(`${path}: the history is empty (no operations): nothing to check`);
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
    const value = parseEDNString(valueText === "" ? "nil" : valueText, {
      mapAs: "object",
      keywordAs: "string",
      listAs: "array",
    });
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
