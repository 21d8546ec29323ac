/**
 * The MidoNet-style znode layout, relative to one agent's root:
 *   hosts/<host>            {kind:"host", ip}          persistent host record
 *   hosts/<host>/alive      {session}                  ephemeral: the agent's live registration
 *   bridges/<b>             {kind:"bridge", name}
 *   bridges/<b>/arp/<ip>    {mac}                      ARP table entry
 *   bridges/<b>/mac/<mac>   {port}                     MAC table entry
 *   bridges/<b>/nd/<ip>     {mac}                      ND table entry
 *   routers/<r>             {kind:"router", name}
 *   ports/<p>               {kind:"port", device:"bridges/<b>"|"routers/<r>", peer:<p>|null}
 *   bindings/<p>            {host, vm}                 a VM bound to a port on a host
 *   log/entry-<seq>         {}                         sequential log entries
 * Every value carries "w", the unique id of the write that produced it.
 */

/** The top-level folders of an agent's subtree. */
export const FOLDERS = ["hosts", "bridges", "routers", "ports", "bindings", "log"] as const;

/** The per-bridge tables. */
export const TABLES = ["arp", "mac", "nd"] as const;

/** A table name. */
export type Table = (typeof TABLES)[number];

/** Data of a port znode. */
export interface PortData {
  readonly kind: "port";
  readonly device: string;
  readonly peer: string | null;
  readonly w: string;
}

/** Data of a binding znode. */
export interface BindingData {
  readonly host: string;
  readonly vm: string;
  readonly w: string;
}

/** Parses znode data written by the workload; undefined when it is not ours. */
export function parseData<T>(text: string | undefined): T | undefined {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
