/**
 * ZooKeeper versions as numbers, and version ranges ("<3.9.3", "3.5.0-3.9.2"):
 * pure functions the scenario schema, the version resolver and the checkers
 * (which bugs a release has) share.
 */
import { BadInputError } from "../errors.js";

/** A version as three numbers; undefined for text that is not one. */
export function parseVersion(text: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(text.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/** Orders versions numerically (3.4.14 after 3.4.5); unparsable ones last. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) return x ? -1 : y ? 1 : a.localeCompare(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** A version written as ZooKeeper releases are: x.y.z (srvr's build suffix dropped). */
export function normalizeVersion(text: string): string {
  const parts = parseVersion(text);
  return parts ? parts.join(".") : text;
}

/** A version range: "*", ">=3.9.4", "<3.9.3", "<=3.8.6", "3.5.0-3.9.2" or one version. */
export type VersionRange = string;

const RANGE = /^(\*|(>=|<=|>|<)?(\d+\.\d+\.\d+)|(\d+\.\d+\.\d+)-(\d+\.\d+\.\d+))$/;

/** Checks a range's syntax; the message names the forms allowed. */
export function validateRange(range: string): string {
  if (!RANGE.test(range.replace(/\s+/g, ""))) {
    throw new BadInputError(
      `'${range}' is not a version range: write *, >=3.9.4, <3.9.3, <=3.8.6, 3.5.0-3.9.2 or one version`,
    );
  }
  return range;
}

/** True when the version lies in the range. */
export function inRange(version: string, range: VersionRange): boolean {
  if (parseVersion(version) === undefined) return false;
  const text = range.replace(/\s+/g, "");
  const match = RANGE.exec(text);
  if (!match) return false;
  if (match[1] === "*") return true;
  if (match[4] !== undefined && match[5] !== undefined)
    return compareVersions(version, match[4]) >= 0 && compareVersions(version, match[5]) <= 0;
  const order = compareVersions(version, match[3] as string);
  switch (match[2]) {
    case ">=":
      return order >= 0;
    case "<=":
      return order <= 0;
    case ">":
      return order > 0;
    case "<":
      return order < 0;
    default:
      return order === 0;
  }
}
