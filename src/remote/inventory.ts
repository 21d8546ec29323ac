import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { BadInputError } from "../errors.js";

const hostName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$|^[0-9a-fA-F:]+$/, "a host name or an IP address");
const absolutePath = z.string().regex(/^\/[^\0\n]*$/, "an absolute path on one line");

/** The inventory of the ssh provider: the hosts the servers run on, one server per host. */
export const inventorySchema = z
  .object({
    hosts: z
      .array(
        z
          .object({
            address: hostName,
            port: z.number().int().min(1).max(65_535).default(22),
            user: z
              .string()
              .regex(/^[a-z_][a-z0-9_-]*$/, "a user name")
              .default("root"),
            /** The private key (on this machine) that logs in. */
            key: absolutePath,
          })
          .strict(),
      )
      .min(1)
      .max(9),
    /** Where the servers' folders go on the hosts (a folder of its own per run). */
    workDir: absolutePath.default("/var/tmp/zk-chaos-ssh"),
    /** ZooKeeper on the hosts: java and the class path (default: this machine's, at the same paths). */
    zookeeper: z
      .object({ java: absolutePath.optional(), classPath: z.array(absolutePath).min(1).optional() })
      .strict()
      .default({}),
    /** The ports every server listens on, the same on every host. */
    ports: z
      .object({
        client: z.number().int().min(1).max(65_535).default(2181),
        quorum: z.number().int().min(1).max(65_535).default(2888),
        election: z.number().int().min(1).max(65_535).default(3888),
      })
      .strict()
      .default({ client: 2181, quorum: 2888, election: 3888 }),
  })
  .strict();

/** A parsed inventory. */
export type Inventory = z.output<typeof inventorySchema>;
/** One host of an inventory. */
export type InventoryHost = Inventory["hosts"][number];

/** Reads and checks an inventory file, naming the file, the field and the fix on any problem. */
export function loadInventory(file: string): Inventory {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new BadInputError(
      `--inventory ${file}: cannot read it (${(error as Error).message}): give the inventory's path`,
    );
  }
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new BadInputError(`--inventory ${file}: not valid YAML (${(error as Error).message})`);
  }
  const parsed = inventorySchema.safeParse(value);
  if (!parsed.success)
    throw new BadInputError(
      `--inventory ${file}: ${parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "(top level)"}: ${issue.message}`)
        .join("; ")}`,
    );
  return parsed.data;
}
