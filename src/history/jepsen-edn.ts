import { parseEDNString } from "edn-data";
import { BadInputError } from "../errors.js";
import type { ImportedEvent } from "./imported-ops.js";
import { readText } from "./porcupine-log.js";

type EdnMap = Record<string, unknown>;

function toEvent(map: EdnMap, path: string, line: number): ImportedEvent {
  const type = map.type;
  if (type !== "invoke" && type !== "ok" && type !== "fail" && type !== "info") {
    throw new BadInputError(
      `${path}:${line}: :type must be :invoke, :ok, :fail or :info, got ${JSON.stringify(type)}`,
    );
  }
  if (map.process === undefined) throw new BadInputError(`${path}:${line}: missing :process`);
  if (typeof map.f !== "string") throw new BadInputError(`${path}:${line}: missing :f`);
  return {
    process: map.process as string | number,
    type,
    f: map.f,
    value: map.value ?? null,
    ...(map.key !== undefined ? { key: map.key } : {}),
    ...(typeof map.error === "string" ? { note: map.error } : {}),
    line,
  };
}

/**
 * Reads a Jepsen/Knossos EDN history: one map per line (Porcupine's kv data,
 * Jepsen's history.edn) or a single vector of maps. Nemesis events are skipped.
 */
export function readJepsenEdn(path: string): ImportedEvent[] {
  const text = readText(path).trim();
  if (text === "")
    throw new BadInputError(`${path}: the history is empty (no operations): nothing to check`);
  const options = { mapAs: "object", keywordAs: "string", listAs: "array" } as const;
  let maps: { map: EdnMap; line: number }[];
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = parseEDNString(text, options);
    } catch (error) {
      throw new BadInputError(
        `${path}: not an EDN vector of operations (${(error as Error).message})`,
      );
    }
    if (!Array.isArray(parsed)) throw new BadInputError(`${path}: not an EDN vector of operations`);
    maps = (parsed as unknown[]).map((map, index) => {
      if (typeof map !== "object" || map === null || Array.isArray(map)) {
        throw new BadInputError(`${path}: operation ${index + 1} is not an EDN map`);
      }
      return { map: map as EdnMap, line: index + 1 };
    });
  } else {
    maps = text.split("\n").flatMap((raw, index) => {
      if (raw.trim() === "") return [];
      let map: unknown;
      try {
        map = parseEDNString(raw, options);
      } catch (error) {
        throw new BadInputError(
          `${path}:${index + 1}: not an EDN map (${(error as Error).message})`,
        );
      }
      // edn-data answers an unterminated map with null rather than an error.
      if (typeof map !== "object" || map === null || Array.isArray(map)) {
        throw new BadInputError(
          `${path}:${index + 1}: not an EDN map of an operation ({:process ..., :type ..., :f ...})`,
        );
      }
      return [{ map: map as EdnMap, line: index + 1 }];
    });
  }
  return maps
    .filter(({ map }) => map.process !== "nemesis")
    .map(({ map, line }) => toEvent(map, path, line));
}
