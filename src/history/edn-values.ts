import { parseEDNString } from "edn-data";

/**
 * EDN values as plain data, the same for every reader: keywords stay
 * distinguishable from strings (:foo is not "foo"), records and tags are
 * unwrapped, lists and sets become arrays.
 */

/** edn-data's options for every EDN reader. */
export const EDN_OPTIONS = {
  mapAs: "object",
  keywordAs: "object",
  listAs: "array",
  setAs: "array",
  // Keyword keys as their JSON ({"key":"type"}), which plainEdn turns back into names.
  objectKeysAs: "string",
} as const;

/** Turns edn-data's objects into plain values: keywords as ":name", records and tags unwrapped. */
export function plainEdn(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainEdn);
  if (typeof value !== "object" || value === null) return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1 && keys[0] === "key" && typeof object.key === "string")
    return `:${object.key}`;
  if (keys.length === 1 && keys[0] === "sym" && typeof object.sym === "string") return object.sym;
  if (keys.length === 2 && "tag" in object && "val" in object) return plainEdn(object.val);
  return Object.fromEntries(keys.map((key) => [mapKey(key), plainEdn(object[key])]));
}

/** A map key as edn-data writes it (a keyword's JSON), as a plain name. */
function mapKey(key: string): string {
  if (!key.startsWith("{")) return key;
  try {
    const parsed = JSON.parse(key) as { key?: unknown };
    return typeof parsed.key === "string" ? parsed.key : key;
  } catch {
    return key;
  }
}

/** Parses one EDN text into plain values; edn-data answers some truncated input with null, which this turns into an error. */
export function parseEdn(text: string): unknown {
  const parsed = parseEDNString(text, EDN_OPTIONS);
  if (parsed === null && !/^\s*nil\s*$/.test(text)) throw new Error("unexpected end of input");
  return plainEdn(parsed);
}
