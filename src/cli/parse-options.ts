import { InvalidArgumentError } from "commander";
import { MAX_NODES, type ServerAddress } from "../ensemble/ensemble.js";
import { BadInputError } from "../errors.js";
import { parseDuration } from "../util/duration.js";

/** Commander parser for --nodes: an integer from 1 to 9. */
export function parseNodes(value: string): number {
  const nodes = Number(value);
  if (!/^\d+$/.test(value) || nodes < 1 || nodes > MAX_NODES) {
    throw new InvalidArgumentError(
      `must be an integer from 1 to ${MAX_NODES} (1, 3, 5 or 7 are the usual sizes).`,
    );
  }
  return nodes;
}

/** Commander parser for one size or several ("3,5,7"): distinct, in the order given. */
export function parseNodeList(value: string): number[] {
  const sizes = value.split(",").map((part) => parseNodes(part.trim()));
  if (new Set(sizes).size !== sizes.length)
    throw new InvalidArgumentError(
      `names a size twice (${value}): give each size once, e.g. 3,5,7.`,
    );
  return sizes;
}

/** Commander parser for a positive integer option. */
export function parsePositiveInt(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed <= 0) {
    throw new InvalidArgumentError("must be a positive integer.");
  }
  return parsed;
}

/** Commander parser for a duration such as 30s or 5m, in milliseconds. */
export function parseDurationOption(value: string): number {
  try {
    return parseDuration(value);
  } catch {
    throw new InvalidArgumentError("must be a duration like 500ms, 30s, 5m or 1h.");
  }
}

/** The --zk-config option's help, the same on every command. */
export const ZK_CONFIG_HELP =
  "zoo.cfg settings: a zoo.cfg file (its folders, ports and servers are left to zk-chaos), or one key=value; repeatable";

/** Commander collector for repeatable options. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Parses --zookeeper-version: one x.y.z, or (when many are allowed) a comma-separated list. */
export function parseVersionList(value: string): string[] {
  const versions = value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (versions.length === 0 || versions.some((version) => !/^\d+\.\d+\.\d+$/.test(version))) {
    throw new InvalidArgumentError(
      "must be ZooKeeper versions written x.y.z, comma-separated, e.g. 3.4.5,3.8.0,3.9.5.",
    );
  }
  return [...new Set(versions)];
}

/** Parses `HOST:PORT,HOST:PORT` into addresses, naming what is wrong. */
export function parseConnectList(text: string): ServerAddress[] {
  const parts = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if (parts.length === 0)
    throw new BadInputError(`--connect '${text}': give HOST:PORT of each server, comma-separated`);
  const addresses = parts.map((part) => {
    const match = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(part);
    const port = Number(match?.[2]);
    if (match === null || port < 1 || port > 65535)
      throw new BadInputError(
        `--connect: '${part}' is not HOST:PORT (e.g. 10.0.0.5:2181, zk1.example:2181)`,
      );
    return { host: match[1] as string, port };
  });
  const seen = new Set(addresses.map((address) => `${address.host}:${address.port}`));
  if (seen.size !== addresses.length)
    throw new BadInputError(`--connect '${text}': a server is named twice`);
  return addresses;
}

/** Commander parser for a TCP port (0: any free one). */
export function parsePort(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65535) {
    throw new InvalidArgumentError("must be a port number from 0 to 65535 (0: any free port).");
  }
  return parsed;
}
