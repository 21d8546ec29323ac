/** `--json`: one JSON document on stdout, 64-bit values (zxids) as decimal strings. */
export function jsonDocument(value: unknown): string {
  return `${JSON.stringify(value, (_, item) => (typeof item === "bigint" ? item.toString() : item), 2)}\n`;
}
