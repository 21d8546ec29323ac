/**
 * The deployment file of `validate --deployment`: the sizes to compare, the
 * agent population as a MidoNet deployment would set it, the service level
 * it must hold, and the variants to measure it under (a co-located
 * neighbour, a shared network).
 */
import { z } from "zod";
import { MAX_WATCHING_AGENTS, positiveDuration, versionText } from "../scenario/schema.js";

/** The states a size is measured in: every server up, f of them down, across a leader kill. */
export const DEPLOYMENT_STATES = ["all-up", "f-down", "leader-kill"] as const;
/** A state of the ensemble during a ramp step. */
export type DeploymentState = (typeof DEPLOYMENT_STATES)[number];

/**
 * What shares the servers' machine: nothing, a Cassandra-shaped load on the
 * same disk and cores, or a real Apache Cassandra node (resolved with Maven).
 */
export const NEIGHBOURS = ["none", "cassandra", "cassandra-node"] as const;
/** A neighbour variant. */
export type Neighbour = (typeof NEIGHBOURS)[number];

/**
 * The network the servers and agents share: none (loopback, unlimited), or
 * one link of networkMbPerS that every client and peer connection crosses,
 * with a saturating data path on a link of its own (separate) or on the same
 * one (shared).
 */
export const NETWORKS = ["none", "separate", "shared"] as const;
/** A network variant. */
export type NetworkVariant = (typeof NETWORKS)[number];

/** A supervisor variant: none, or one that restarts a server down this long (ms). */
export type Supervisor = "none" | number;

const ascending = (values: readonly number[]) =>
  values.every((value, index) => index === 0 || value > (values[index - 1] as number));

/** A deployment file. */
export const deploymentSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "use lower-case letters, digits and '-'")
      .max(80, "at most 80 characters: it names folders")
      .describe("The deployment's name: it names the report folder"),
    description: z.string().default("").describe("What is being decided, in words"),
    sizes: z
      .array(z.number().int().min(1).max(9))
      .min(1)
      .refine(ascending, "list each size once, smallest first")
      .describe("Ensemble sizes to compare, e.g. [3, 5]"),
    agents: z
      .object({
        ramp: z
          .array(
            z
              .number()
              .int()
              .min(1)
              .max(
                MAX_WATCHING_AGENTS,
                `at most ${MAX_WATCHING_AGENTS} agents: one harness runs that many watching sessions`,
              ),
          )
          .min(1)
          .max(8, "at most 8 steps: each is a run per size, variant and state")
          .refine(ascending, "ascending agent counts, each once, e.g. [10, 20, 40]")
          .describe(
            "Agent counts to try, ascending; the ramp stops at the first that breaks the service level",
          ),
        planned: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe("How many agents the deployment will have: the recommendation is sized for it"),
        watch: z
          .enum(["one-time", "persistent"])
          .default("one-time")
          .describe("How each agent watches the topology"),
        writers: z
          .number()
          .int()
          .min(1)
          .max(50)
          .default(2)
          .describe("Writers of the topology (API servers), beside the agents"),
        writeRate: z
          .number()
          .positive()
          .max(200)
          .default(5)
          .describe("Writes per second of each writer"),
        sessionTimeout: positiveDuration
          .default(10_000)
          .describe("Each agent's session timeout (MidoNet's default is 10s)"),
      })
      .strict(),
    serviceLevel: z
      .object({
        p99WriteMs: z
          .number()
          .positive()
          .default(500)
          .describe("The slowest acknowledged write of a hundred, ms"),
        sessionExpiries: z
          .number()
          .int()
          .min(0)
          .default(0)
          .describe("Agent sessions that may expire in a step"),
        electionMs: positiveDuration
          .default(10_000)
          .describe("The longest a leader kill may keep writes from succeeding"),
      })
      .strict()
      .default({ p99WriteMs: 500, sessionExpiries: 0, electionMs: 10_000 }),
    states: z
      .array(z.enum(DEPLOYMENT_STATES))
      .min(1)
      .default([...DEPLOYMENT_STATES])
      .describe("What each size is measured in: all-up, f-down (f of n servers down), leader-kill"),
    stepDuration: positiveDuration
      .refine((ms) => ms >= 5000 && ms <= 600_000, "between 5s and 10m")
      .default(15_000)
      .describe("How long each ramp step runs"),
    variants: z
      .object({
        neighbour: z
          .array(z.enum(NEIGHBOURS))
          .min(1)
          .default(["none"])
          .describe(
            "none; cassandra: a Cassandra-shaped load on the servers' disk and cores (fsync'd commit-log writes, compaction reads); or cassandra-node: a real Apache Cassandra node (resolved with Maven) with its commit log and data on that disk, written to at neighbourMbPerS",
          ),
        supervisor: z
          .array(z.union([z.literal("none"), positiveDuration]))
          .min(1)
          .default(["none"])
          .describe(
            "none, or a supervisor (Exhibitor, systemd) that restarts a server down this long, e.g. 10s",
          ),
        network: z
          .array(z.enum(NETWORKS))
          .min(1)
          .refine((values) => new Set(values).size === values.length, "list each network once")
          .default(["none"])
          .describe(
            "none, or ZooKeeper's connections on one link of networkMbPerS with a saturating data path on a link of its own (separate) or on the same link (shared); the first listed is the baseline",
          ),
        networkMbPerS: z
          .number()
          .min(0.1)
          .max(1000)
          .default(12.5)
          .describe("The link's bandwidth, MB/s (a 100 Mbit/s management network is 12.5)"),
        networkBufferMs: z
          .number()
          .int()
          .min(1)
          .max(2000)
          .default(20)
          .describe(
            "The link's queue, ms: how long bytes wait behind the data path on a full link",
          ),
        neighbourMbPerS: z
          .number()
          .positive()
          .max(2000)
          .default(32)
          .describe("The cassandra neighbour's commit-log rate, MB/s fsync'd (a busy node: tens)"),
      })
      .strict()
      .default({
        neighbour: ["none"],
        supervisor: ["none"],
        network: ["none"],
        networkMbPerS: 12.5,
        networkBufferMs: 20,
        neighbourMbPerS: 32,
      })
      .describe(
        "What to measure each size under; the first value of each list is the baseline, and every other value is measured alone against it (one factor at a time)",
      ),
    zookeeper: z
      .object({
        version: versionText.optional().describe("The release to run (default: the local install)"),
      })
      .strict()
      .default({}),
  })
  .strict();

/** A parsed deployment file. */
export type Deployment = z.output<typeof deploymentSchema>;
