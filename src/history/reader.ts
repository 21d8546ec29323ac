import { isAscii } from "node:buffer";
import { createReadStream } from "node:fs";
import { BadInputError } from "../errors.js";
import type { EventType, HistoryEvent } from "./event.js";

const TYPES = new Set<EventType>(["invoke", "ok", "fail", "info"]);
const NEWLINE = 0x0a;
/** Processes that are not workers, servers or sessions. */
const NAMED_PROCESSES: ReadonlySet<string> = new Set(["nemesis", "observer", "wire"]);

/** Whether a value is a string of decimal digits (a loop: a regex per zxid cost more at millions). */
function isDecimal(value: unknown): boolean {
  if (typeof value !== "string" || value.length === 0) return false;
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Checks one parsed line; returns the reason it is not an event, or undefined. */
export function eventProblem(value: unknown, expectedIndex: number): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return "not a JSON object";
  const event = value as Record<string, unknown>;
  if (event.index !== expectedIndex)
    return `index is ${JSON.stringify(event.index)}, expected ${expectedIndex}`;
  if (typeof event.time !== "number" || !Number.isFinite(event.time) || event.time < 0) {
    return "time must be a non-negative number of nanoseconds";
  }
  const process = event.process;
  if (
    !(typeof process === "number" && Number.isInteger(process)) &&
    !NAMED_PROCESSES.has(process as string) &&
    !(typeof process === "string" && /^(server|session)-\d+$/.test(process))
  ) {
    return `process must be a worker number, "nemesis", "observer", "wire", "server-N" or "session-N", got ${JSON.stringify(process)}`;
  }
  if (!TYPES.has(event.type as EventType))
    return `type must be invoke, ok, fail or info, got ${JSON.stringify(event.type)}`;
  if (typeof event.f !== "string" || event.f === "") return "f must be a non-empty string";
  if (event.server !== undefined && !Number.isInteger(event.server))
    return "server must be an integer";
  if (event.session !== undefined && typeof event.session !== "string")
    return "session must be a string";
  if (event.stat !== undefined) {
    const stat = event.stat as Record<string, unknown>;
    if (typeof stat !== "object" || stat === null) return "stat must be an object";
    if (!isDecimal(stat.czxid)) return "stat.czxid must be a decimal string (zxids are 64-bit)";
    if (!isDecimal(stat.mzxid)) return "stat.mzxid must be a decimal string (zxids are 64-bit)";
  }
  return undefined;
}

/** The line from start to end of text (at most its length), without the carriage return a CRLF file ends it with. */
function lineOf(text: string, start: number, until: number): string {
  const end = Math.min(until, text.length);
  return end > start && text.charCodeAt(end - 1) === 13
    ? text.slice(start, end - 1)
    : text.slice(start, end);
}

/** Bytes as text: ASCII (all a recorder writes, bar server log lines) without UTF-8's checks. */
const decode = (bytes: Buffer): string =>
  isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");

/** An event whose fields the reader may still replace. */
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Distinct strings kept for sharing; past this many, new ones are left as parsed. */
const SHARED_STRINGS_MAX = 100_000;

/**
 * Shares the strings that repeat across events: a session id (every op of
 * the session) and a creation zxid (every op on the znode). JSON.parse makes
 * a copy of each string of ten characters or more, 30-40 bytes a piece, and
 * a million operations held a million of each.
 */
function stringSharer(): <T extends Mutable<HistoryEvent>>(event: T) => T {
  const shared = new Map<string, string>();
  const one = (text: string): string => {
    const kept = shared.get(text);
    if (kept !== undefined) return kept;
    if (shared.size < SHARED_STRINGS_MAX) shared.set(text, text);
    return text;
  };
  return (event) => {
    if (event.session !== undefined) event.session = one(event.session);
    const stat = event.stat as Mutable<NonNullable<HistoryEvent["stat"]>> | undefined;
    if (stat !== undefined) stat.czxid = one(stat.czxid);
    return event;
  };
}

/**
 * Reads and validates a history.jsonl file. A bad line is reported with the
 * file, the line number and the reason. A truncated last line (a crash while
 * writing) is dropped, as the format allows.
 */
export async function readHistoryFile(path: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  const share = stringSharer();
  let number = 0;
  let broken: { number: number; reason: string } | undefined;
  const take = (line: string) => {
    number++;
    if (broken !== undefined) throw new BadInputError(`${path}:${broken.number}: ${broken.reason}`);
    // Blank lines are allowed; trimming every line to find them cost a share of the read.
    if (line.length === 0 || (line.charCodeAt(0) <= 32 && line.trim() === "")) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      // Only the last line may be cut short; decide when we know whether more follows.
      broken = { number, reason: `not valid JSON (${(error as Error).message})` };
      return;
    }
    const problem = eventProblem(parsed, events.length);
    if (problem !== undefined) throw new BadInputError(`${path}:${number}: ${problem}`);
    events.push(share(parsed as Mutable<HistoryEvent>));
  };
  try {
    // Lines split by hand over large chunks, each decoded once up to its last newline (a
    // newline byte is never inside a UTF-8 character): readline's per-line overhead, decoding
    // each line on its own, and joining a chunk's text to the line cut at its end all cost
    // seconds at millions of lines.
    let carry: Buffer | undefined;
    for await (const raw of createReadStream(path, { highWaterMark: 1 << 22 })) {
      const chunk = raw as Buffer;
      const last = chunk.lastIndexOf(NEWLINE);
      if (last === -1) {
        carry = carry === undefined ? Buffer.from(chunk) : Buffer.concat([carry, chunk]);
        continue;
      }
      // The line cut at the last chunk's end is finished on its own: joining it to the whole
      // chunk would copy every byte of the file once more.
      let from = 0;
      if (carry !== undefined) {
        const first = chunk.indexOf(NEWLINE);
        take(lineOf(decode(Buffer.concat([carry, chunk.subarray(0, first)])), 0, Infinity));
        from = first + 1;
      }
      // Whole lines between the first newline and the last (none when they are the same one).
      if (from <= last) {
        const text = decode(chunk.subarray(from, last));
        let start = 0;
        for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
          take(lineOf(text, start, end));
          start = end + 1;
        }
        take(lineOf(text, start, text.length));
      }
      // A copy: the rest of the chunk is a line still being read, and the chunk goes.
      carry = Buffer.from(chunk.subarray(last + 1));
    }
    if (carry !== undefined && carry.length > 0) take(lineOf(decode(carry), 0, Infinity));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new BadInputError(`${path}: no such file: check the path to the history`);
    }
    throw error;
  }
  return events;
}
