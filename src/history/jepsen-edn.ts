import { BadInputError } from "../errors.js";
import { parseEdn } from "./edn-values.js";
import type { ImportedEvent } from "./imported-ops.js";
import { readText } from "./porcupine-log.js";

type EdnMap = Record<string, unknown>;

const name = (value: unknown) =>
  typeof value === "string" && value.startsWith(":") ? value.slice(1) : value;

/** How lenient a read is: Elle's own examples carry no :process and no :f. */
export interface JepsenEdnOptions {
  /** The :f of a map without one (none: it is an error). */
  readonly defaultF?: string;
  /** Allow maps without :process; they get ANONYMOUS_PROCESS. */
  readonly anonymous?: boolean;
}

/** The process of an operation that names none (allowed with `anonymous`). */
export const ANONYMOUS_PROCESS = "?";

function toEvent(map: EdnMap, where: string, options: JepsenEdnOptions): ImportedEvent | undefined {
  const process = name(map.process);
  // The nemesis and other named processes are not clients.
  if (typeof process === "string" && !/^\d+$/.test(process)) return undefined;
  const type = name(map.type);
  if (type !== "invoke" && type !== "ok" && type !== "fail" && type !== "info") {
    throw new BadInputError(
      `${where}: :type must be :invoke, :ok, :fail or :info, got ${JSON.stringify(map.type)}`,
    );
  }
  if (process === undefined && !options.anonymous)
    throw new BadInputError(`${where}: missing :process`);
  const f = name(map.f) ?? options.defaultF;
  if (typeof f !== "string") throw new BadInputError(`${where}: missing :f`);
  const error = map.error;
  return {
    process:
      process === undefined
        ? ANONYMOUS_PROCESS
        : typeof process === "string"
          ? Number(process)
          : (process as number),
    type,
    f,
    value: map.value ?? null,
    ...(map.key !== undefined ? { key: map.key } : {}),
    ...(error !== undefined && error !== null
      ? { note: typeof error === "string" ? String(name(error)) : JSON.stringify(error) }
      : {}),
    line: 0,
  };
}

const isMap = (value: unknown): value is EdnMap =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Lines that carry EDN (not blank, not a `;` comment), with their numbers. */
function contentLines(text: string): { text: string; line: number }[] {
  return text
    .split("\n")
    .map((raw, index) => ({ text: raw.trim(), line: index + 1 }))
    .filter(({ text: line }) => line !== "" && !line.startsWith(";"));
}

/** One map per line, when every content line is one: each operation keeps its line number. */
function mapsPerLine(text: string): { map: EdnMap; line: number }[] | undefined {
  const lines = contentLines(text);
  if (!lines.every(({ text: line }) => line.startsWith("{") || line.startsWith("#"))) return;
  const maps: { map: EdnMap; line: number }[] = [];
  for (const { text: line, line: number } of lines) {
    let parsed: unknown;
    try {
      parsed = parseEdn(line);
    } catch {
      return undefined;
    }
    if (!isMap(parsed)) return undefined;
    maps.push({ map: parsed, line: number });
  }
  return maps;
}

/**
 * Where a broken history breaks: the line after the longest prefix of whole
 * forms that still parses (an outer vector or list is opened for the scan).
 * Bounded: files beyond 5,000 lines get no line.
 */
function firstBrokenLine(text: string): number | undefined {
  const lines = text.split("\n");
  if (lines.length > 5000) return undefined;
  const opening = /^\s*[[(]/.exec(text);
  let lastGood = 0;
  let prefix = "";
  for (const [index, raw] of lines.entries()) {
    // Inside an outer vector or list, the forms are its items.
    prefix += `${index === 0 && opening ? raw.replace(/^\s*[[(]/, "") : raw}\n`;
    // A closing bracket alone proves nothing: edn-data takes `{:a ]` for a form.
    if (contentLines(raw).length === 0 || /^[\])]+$/.test(raw.trim())) continue;
    try {
      parseEdn(`[${prefix}]`);
      lastGood = index + 1;
    } catch {
      // Still inside a form, or broken: the next good prefix decides.
    }
  }
  const next = contentLines(lines.slice(lastGood).join("\n"))[0];
  return next === undefined ? undefined : next.line + lastGood;
}

/**
 * Reads a Jepsen/Knossos EDN history in any of the shapes those tools write:
 * one map per line (Porcupine's kv data, Jepsen's history.edn), one vector or
 * list of maps, `;` comments, tagged records (#jepsen.history.Op{...}).
 * Values stay as written: "6" is a string, 6 a number, :six a keyword.
 * Nemesis and other named processes are skipped.
 */
export function readJepsenEdn(path: string, options: JepsenEdnOptions = {}): ImportedEvent[] {
  const text = readText(path);
  // An empty history is one (Knossos calls it valid): the checker says so.
  if (contentLines(text).length === 0) return [];
  let maps = mapsPerLine(text);
  if (maps === undefined) {
    let forms: unknown;
    try {
      forms = parseEdn(`[\n${text}\n]`);
    } catch (error) {
      const line = firstBrokenLine(text);
      throw new BadInputError(
        `${path}${line !== undefined ? `:${line}` : ""}: not an EDN history (${(error as Error).message}): expected maps of operations ({:process ..., :type ..., :f ...}), one per line or in a vector or list`,
      );
    }
    let items = forms as unknown[];
    // A single vector or list holding the operations.
    if (items.length === 1 && Array.isArray(items[0])) items = items[0] as unknown[];
    maps = items.map((item, index) => {
      if (!isMap(item))
        throw new BadInputError(
          `${path}: operation ${index + 1} is not an EDN map of an operation ({:process ..., :type ..., :f ...}), got ${JSON.stringify(item)}`,
        );
      return { map: item, line: 0 };
    });
  }
  const events: ImportedEvent[] = [];
  maps.forEach(({ map, line }, index) => {
    const where = line > 0 ? `${path}:${line}` : `${path}: operation ${index + 1}`;
    const event = toEvent(map, where, options);
    // Without line numbers an operation is named by its position in the file.
    if (event !== undefined) events.push({ ...event, line: line > 0 ? line : index + 1 });
  });
  if (events.length === 0)
    throw new BadInputError(
      `${path}: no client operations in the history (only nemesis or named processes): nothing to check`,
    );
  return events;
}
