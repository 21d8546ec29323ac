/**
 * Jute's binary encoding (ZooKeeper's BinaryOutputArchive) as decoder steps:
 * big-endian ints and longs, strings and buffers as an int length (-1 for
 * null) then the bytes, vectors as an int count then the items.
 */
import { type Need, type Scan, Undecodable } from "./stream-decoder.js";

/** One step of a decoder that returns a value. */
export type Step<T> = Generator<Need, T, Buffer>;

/** A 32-bit signed int (whole items may be scanned first, see Scan). */
export function* readInt(scan?: Scan): Step<number> {
  return (yield scan ? { read: 4, scan } : { read: 4 }).readInt32BE(0);
}

/** A 64-bit signed long. */
export function* readLong(): Step<bigint> {
  return (yield { read: 8 }).readBigInt64BE(0);
}

/** A length field (strings, buffers, vectors): -1 is null, anything else below 0 or above `max` is not Jute. */
export function* readLength(what: string, max: number, scan?: Scan): Step<number> {
  const length = yield* readInt(scan);
  if (length < -1 || length > max) throw new Undecodable(`${what} of length ${length}`);
  return length;
}

/** A UTF-8 string no longer than `max` bytes; undefined for null. */
export function* readString(what: string, max: number, scan?: Scan): Step<string | undefined> {
  const length = yield* readLength(what, max, scan);
  if (length <= 0) return length === 0 ? "" : undefined;
  return (yield { read: length }).toString("utf8");
}

/** Passes over `count` bytes. */
export function* skip(count: number): Step<void> {
  if (count > 0) yield { skip: count };
}
