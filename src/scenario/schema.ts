import { z } from "zod";
import { CHECKERS, type CheckerName, DEFAULT_CHECKERS } from "../checkers/registry.js";
import {
  FAULT_CATALOGUE,
  type FaultKind,
  type MessageMatch,
  RANDOM_FAULT_KINDS,
  type WireParty,
} from "../faults/fault-spec.js";
import { matchProblem } from "../network/message-streams.js";
import { parseDuration } from "../util/duration.js";
import { validateRange } from "../zookeeper/version-range.js";

/** Kinds a scenario may write: the catalogue's, and rolling-upgrade, which the plan expands into upgrades. */
const FAULT_KINDS: readonly string[] = [...Object.keys(FAULT_CATALOGUE), "rolling-upgrade"];
const RANDOM_KINDS = RANDOM_FAULT_KINDS as [FaultKind, ...FaultKind[]];

/** A ZooKeeper release as x.y.z. */
export const versionText = z
  .string()
  .regex(/^\d+\.\d+\.\d+$/, "a ZooKeeper version is written x.y.z, e.g. 3.4.5 or 3.9.5");

export { CHECKERS, type CheckerName } from "../checkers/registry.js";

const CHECKER_NAMES = Object.keys(CHECKERS) as [CheckerName, ...CheckerName[]];

/** The longest duration a scenario may write: a day (timers hold up to ~24.8 days; no run needs more). */
export const MAX_DURATION_MS = 24 * 3_600_000;

const duration = z.union([z.string(), z.number()]).transform((value, context) => {
  let ms: number;
  try {
    if (typeof value === "number" && (!Number.isFinite(value) || value < 0))
      throw new Error(`${value} is not a duration: use 0 or more seconds, or a unit like 500ms`);
    ms = typeof value === "number" ? Math.round(value * 1000) : parseDuration(value);
  } catch (error) {
    context.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
  if (ms > MAX_DURATION_MS) {
    context.addIssue({ code: "custom", message: "longer than a day: no run needs that" });
    return z.NEVER;
  }
  return ms;
});

/** The largest clock jump a scenario may write: a year either way. */
const MAX_CLOCK_OFFSET_MS = 366 * 24 * 3_600_000;

/** A signed duration (a clock jump): "+30s", "-10m", or seconds as a number. */
const signedDuration = z.union([z.string(), z.number()]).transform((value, context) => {
  let ms: number;
  try {
    if (typeof value === "number") {
      if (!Number.isFinite(value)) throw new Error(`${value} is not a duration`);
      ms = Math.round(value * 1000);
    } else {
      const text = value.trim();
      const sign = text.startsWith("-") ? -1 : 1;
      ms = sign * parseDuration(text.replace(/^[+-]/, ""), "offset");
    }
  } catch (error) {
    context.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
  if (Math.abs(ms) > MAX_CLOCK_OFFSET_MS) {
    context.addIssue({ code: "custom", message: "more than a year either way" });
    return z.NEVER;
  }
  return ms;
});

/** A duration above zero (a run's length, a timeout, a gap between random faults). */
export const positiveDuration = duration.refine((ms) => ms > 0, { message: "must be above zero" });

const faultId = z
  .string()
  .regex(/^[a-z][\w.-]*$/, "a fault id: a letter, then letters, digits, '.', '_' or '-'");
const target = z.union([
  z.number().int().min(1),
  z.enum(["leader", "follower", "observer", "random", "logged"]),
  z.object({ "same-as": faultId }).strict(),
  z.object({ "other-than": z.array(faultId).min(1) }).strict(),
]);

/** The most watching agents one harness runs (each holds a session and a cache of the tree). */
export const MAX_WATCHING_AGENTS = 100;

/** Watching agents: how many, and which watches they use. */
export const watchSchema = z
  .object({
    agents: z.number().int().min(1).max(MAX_WATCHING_AGENTS).describe("How many watching agents"),
    mode: z
      .enum(["one-time", "persistent"])
      .default("one-time")
      .describe(
        "one-time: watches set again at every read (any version); persistent: one addWatch, recursive (3.6+)",
      ),
    probe: duration
      .default(250)
      .describe(
        'Reads without a watch at this interval, to test "the event before the data" (0: none)',
      ),
    pin: z
      .union([
        z.number().int().min(1).max(9),
        z.enum(["leader", "followers", "minority", "majority"]),
      ])
      .optional()
      .describe(
        "The servers the watching agents connect to, resolved at the start (as a role's pin)",
      ),
    /**
     * A self-test of the watch checker: the first watching agent's client
     * drops one data-change notification, or delivers two out of order,
     * after `after` good ones. A run with it must come out invalid.
     */
    brokenClient: z
      .object({
        kind: z
          .enum(["drop", "swap"])
          .describe("Drop one notification, or deliver two out of order"),
        after: z
          .number()
          .int()
          .min(0)
          .default(3)
          .describe("Good notifications before the broken one"),
      })
      .strict()
      .optional()
      .describe(
        "A self-test of the watch checker: the first agent's client drops (drop) or swaps (swap) a notification after `after` good ones; the run must come out invalid",
      ),
  })
  .strict();

/** Watching agents as a plan holds them (durations in ms). */
export type WatchSettings = z.output<typeof watchSchema>;

/** What starts a triggered fault. */
/** A message type name, or several: all of one channel (checked with the rest of the match). */
const messageTypes = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((value) => (typeof value === "string" ? [value] : value));
const wireParty = z.union([z.number().int().min(1), z.enum(["any", "leader", "follower"])]);

/** Which peer messages: their type(s), a type that crossed the connection first, sender and receiver. */
const messageMatch = z
  .object({
    type: messageTypes.describe("A peer message type (e.g. PROPOSAL, NEWLEADER), or several"),
    after: z
      .string()
      .min(1)
      .optional()
      .describe("Only once a message of this type crossed the same connection"),
    from: wireParty.optional().describe("The sender: a server id or a role (default any)"),
    to: wireParty.optional().describe("The receiver: a server id or a role (default any)"),
  })
  .strict()
  .transform((value, context) => {
    const match: MessageMatch = {
      types: value.type,
      ...(value.after !== undefined ? { after: value.after } : {}),
      ...(value.from !== undefined ? { from: value.from } : {}),
      ...(value.to !== undefined ? { to: value.to } : {}),
    };
    const problem = matchProblem(match);
    if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
    return match;
  });

/** A message fault's match: the messages (`match`) on the link they cross (`link`, default any to any). */
const messageFault = {
  match: z.object({ type: messageTypes, after: z.string().min(1).optional() }).strict(),
  link: z.object({ from: wireParty.optional(), to: wireParty.optional() }).strict().optional(),
  count: z.number().int().min(1).max(10_000).optional(),
};

/** A message fault as the catalogue holds it: match and link in one. */
function withMessageMatch<
  T extends {
    match: { type: string[]; after?: string | undefined };
    link?: { from?: WireParty | undefined; to?: WireParty | undefined } | undefined;
  },
>(value: T, context: z.RefinementCtx): Omit<T, "match" | "link"> & { match: MessageMatch } {
  const { match, link, ...rest } = value;
  const joined: MessageMatch = {
    types: match.type,
    ...(match.after !== undefined ? { after: match.after } : {}),
    ...(link?.from !== undefined ? { from: link.from } : {}),
    ...(link?.to !== undefined ? { to: link.to } : {}),
  };
  const problem = matchProblem(joined);
  if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
  return { ...rest, match: joined };
}

/** A non-empty string that is a regular expression; `invalid` says what is wrong otherwise. */
function regularExpression(invalid: string) {
  return z
    .string()
    .min(1)
    .refine(
      (text) => {
        try {
          new RegExp(text);
          return true;
        } catch {
          return false;
        }
      },
      { message: invalid },
    );
}

const trigger = z
  .object({
    log: regularExpression("not a valid regular expression")
      .optional()
      .describe("A regular expression over a server's log lines"),
    state: z
      .enum(["new-leader-serving", "leader-changed", "server-synced"])
      .optional()
      .describe("A change of the ensemble's state, seen by polling srvr"),
    server: z
      .union([z.number().int().min(1), z.enum(["any", "leader", "follower"])])
      .optional()
      .describe("Whose log or state counts (default any)"),
    wire: messageMatch
      .optional()
      .describe(
        "A peer message (type, after, from, to): the fault starts while the proxy holds it, before it is forwarded",
      ),
    delay: duration.optional().describe("Wait this long after the trigger fires"),
  })
  .strict()
  .refine(
    (value) =>
      [value.log, value.state, value.wire].filter((part) => part !== undefined).length === 1,
    { message: "a trigger needs one of: a log pattern, a state, or a wire message" },
  )
  .refine((value) => value.wire === undefined || value.server === undefined, {
    message: "a wire trigger names its servers with wire.from and wire.to, not server",
  });
const count = z.union([z.number().int().min(1), z.enum(["f", "f+1"])]);
const mode = z.enum(["refuse", "blackhole"]);
const links = z.union([z.literal("all"), z.array(z.tuple([z.number().int(), z.number().int()]))]);

/** A fault as a scenario writes it: the catalogue's specs, with counts relative to the size (f, f+1). */
export const faultSchema = z.discriminatedUnion(
  "kind",
  [
    z
      .object({ kind: z.literal("kill"), target: target.optional(), count: count.optional() })
      .strict(),
    z
      .object({ kind: z.literal("stop"), target: target.optional(), count: count.optional() })
      .strict(),
    z
      .object({ kind: z.literal("pause"), target: target.optional(), count: count.optional() })
      .strict(),
    z.object({ kind: z.literal("restart"), target: target.optional() }).strict(),
    z
      .object({ kind: z.literal("isolate"), target: target.optional(), mode: mode.optional() })
      .strict(),
    z
      .object({
        kind: z.literal("partition"),
        groups: z.union([
          z.enum(["random-halves", "majority-minority"]),
          z
            .array(z.array(z.number().int().min(1)).min(1, "a group needs a server"))
            .min(2, "a partition needs at least two groups")
            .refine((groups) => new Set(groups.flat()).size === groups.flat().length, {
              message: "a server stands in two groups",
            }),
        ]),
        mode: mode.optional(),
      })
      .strict(),
    z.object({ kind: z.literal("bridge"), mode: mode.optional() }).strict(),
    z.object({ kind: z.literal("ring"), mode: mode.optional() }).strict(),
    z.object({ kind: z.literal("one-way"), from: target, to: target }).strict(),
    z
      .object({
        kind: z.literal("client-isolate"),
        target: target.optional(),
        mode: mode.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("latency"),
        latency: z.number().int().min(0),
        jitter: z.number().int().min(0).optional(),
        links: links.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("bandwidth"),
        rate: z.number().int().min(1),
        links: links.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("loss"),
        rate: z.number().gt(0, "a share of packets above 0").max(1, "a share of packets up to 1"),
        links: links.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("flaky"),
        style: z.enum(["reset", "slicer"]).optional(),
        links: links.optional(),
        toxicity: z.number().min(0).max(1).optional(),
      })
      .strict(),
    z.object({ kind: z.literal("blackhole"), links: links.optional() }).strict(),
    z
      .object({
        kind: z.literal("drop-message"),
        ...messageFault,
        mode: z.enum(["cut", "reset"]).optional(),
      })
      .strict()
      .transform(withMessageMatch),
    z
      .object({
        kind: z.literal("delay-message"),
        ...messageFault,
        delay: positiveDuration.refine((ms) => ms <= 600_000, { message: "at most 10 minutes" }),
      })
      .strict()
      .transform(withMessageMatch),
    z
      .object({ kind: z.literal("duplicate-message"), ...messageFault })
      .strict()
      .transform(withMessageMatch),
    z
      .object({ kind: z.literal("hold-message"), ...messageFault })
      .strict()
      .transform(withMessageMatch),
    z.object({ kind: z.literal("disk-full"), target: target.optional() }).strict(),
    z.object({ kind: z.literal("wipe"), target: target.optional() }).strict(),
    z.object({ kind: z.literal("read-only"), target: target.optional() }).strict(),
    z
      .object({
        kind: z.literal("slow-fsync"),
        target: target.optional(),
        delay: positiveDuration.refine((ms) => ms <= 60_000, {
          message: "at most 60s: beyond it ZooKeeper gives up on the disk anyway",
        }),
      })
      .strict(),
    z
      .object({
        kind: z.literal("clock"),
        target: target.optional(),
        offset: signedDuration
          .refine((ms) => ms >= 0, {
            message:
              "a clock only jumps forward here: libfaketime 0.9.10 moves the JVM's monotonic clock with its wall clock, and a monotonic clock that goes back stalls every timed wait (use +30s, +1h)",
          })
          .describe("How far the server's clocks jump forward: +30s, +1h"),
      })
      .strict()
      .refine((fault) => fault.offset > 0, {
        message: "a clock fault moves the clock: give an offset above zero (+30s, +1h)",
      }),
    z
      .object({
        kind: z.literal("corrupt"),
        target: target.optional(),
        damage: z.enum(["truncate-log", "flip-log", "flip-snapshot"]).optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal("starve"),
        target: target.optional(),
        // A share of one core: below 1% the JVM cannot even answer srvr.
        cpu: z.number().min(0.01, "give at least 0.01 of a core").max(1).optional(),
      })
      .strict(),
    z
      .object({ kind: z.literal("upgrade"), target: target.optional(), version: versionText })
      .strict(),
    z
      .object({ kind: z.literal("downgrade"), target: target.optional(), version: versionText })
      .strict(),
    z.object({ kind: z.literal("join"), target: target.optional() }).strict(),
    z.object({ kind: z.literal("leave"), target: target.optional() }).strict(),
    // Every server in turn (by id), spread evenly over the entry's `for`.
    z.object({ kind: z.literal("rolling-upgrade"), version: versionText }).strict(),
  ],
  { error: () => ({ message: `unknown fault kind: valid kinds are ${FAULT_KINDS.join(", ")}` }) },
);

/** What shares a network link with ZooKeeper: nothing else, or a data path on it or on a link of its own. */
export const DATA_PATHS = ["none", "shared", "separate"] as const;

/** One network link every proxied connection of a run shares (network.link). */
export const networkLinkSchema = z
  .object({
    mbPerS: z
      .number()
      .min(0.1)
      .max(1000)
      .describe(
        "The link's bandwidth, MB/s (100 Mbit/s is 12.5), shared by every connection on it",
      ),
    bufferMs: z
      .number()
      .int()
      .min(1)
      .max(2000)
      .default(50)
      .describe("The link's queue, ms: the longest bytes wait behind others on a full link"),
    dataPath: z
      .enum(DATA_PATHS)
      .default("shared")
      .describe(
        "Bulk flows that saturate a link: on this one (shared), on a link of their own with the same bandwidth (separate: the same load on the machine, none on ZooKeeper's link), or none",
      ),
  })
  .strict();

/** A scenario's network link. */
export type NetworkLink = z.output<typeof networkLinkSchema>;

/** A scenario file. */
export const scenarioSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "use lower-case letters, digits and '-'")
      .max(80, "at most 80 characters: it names folders")
      .describe("The scenario's name: lower-case letters, digits and '-'; it names run folders"),
    description: z
      .string()
      .default("")
      .describe("What the scenario does and what it must show, in words"),
    nodes: z
      .array(z.number().int().min(1).max(9))
      .min(1)
      .default([3])
      .describe("Ensemble sizes to run, each a separate run (--nodes overrides)"),
    provider: z
      .enum(["local", "docker", "ssh"])
      .default("local")
      .describe(
        "How servers run: local JVMs, containers, or hosts over SSH (--provider overrides)",
      ),
    seed: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("Seed of every random choice (--seed overrides; default random, printed)"),
    duration: positiveDuration
      .default(20_000)
      .describe("How long the workload runs: 20s, 1m30s, 500ms; a bare number is seconds"),
    members: z
      .number()
      .int()
      .min(1)
      .max(9)
      .optional()
      .describe(
        "Membership changes at run time: servers 1..members start as the ensemble; join/leave faults change it (3.5+)",
      ),
    observers: z
      .number()
      .int()
      .min(0)
      .max(8)
      .default(0)
      .describe(
        "How many servers are observers (non-voting): the last ones by id; fewer than every size",
      ),
    supervise: z
      .object({
        restartAfter: positiveDuration.describe(
          "How long a server stays down before the supervisor starts it",
        ),
      })
      .strict()
      .optional()
      .describe("A supervisor (Exhibitor, systemd) that restarts any server down this long"),
    zookeeper: z
      .object({
        profile: z
          .enum(["fast", "production"])
          .default("fast")
          .describe(
            "Timing settings: fast (short ticks, quick elections, for tests) or production (ZooKeeper's own defaults)",
          ),
        tickTime: z.number().int().min(1).max(60_000).optional().describe("zoo.cfg tickTime, ms"),
        initLimit: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .optional()
          .describe("zoo.cfg initLimit, ticks"),
        syncLimit: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .optional()
          .describe("zoo.cfg syncLimit, ticks"),
        minSessionTimeout: z
          .number()
          .int()
          .min(1)
          .max(MAX_DURATION_MS)
          .optional()
          .describe("zoo.cfg minSessionTimeout, ms"),
        maxSessionTimeout: z
          .number()
          .int()
          .min(1)
          .max(MAX_DURATION_MS)
          .optional()
          .describe("zoo.cfg maxSessionTimeout, ms"),
        heapMb: z
          .number()
          .int()
          .min(16)
          .max(32_768, "at most 32768 MB per server")
          .optional()
          .describe("Each server JVM's heap, MB"),
        config: z
          .record(z.string(), z.string())
          .optional()
          .describe(
            "More zoo.cfg keys for every server (checked against the version's known keys)",
          ),
        version: versionText
          .optional()
          .describe(
            "The release every server runs (resolved with Maven into the cache); default: the local install",
          ),
        servers: z
          .record(
            z.string().regex(/^[1-9]$/, "a server id from 1 to 9"),
            z
              .object({
                config: z
                  .record(z.string(), z.string())
                  .optional()
                  .describe("zoo.cfg keys for this server"),
                properties: z
                  .record(z.string(), z.string())
                  .optional()
                  .describe("Java system properties for this server's JVM"),
              })
              .strict(),
          )
          .optional()
          .describe(
            "zoo.cfg keys (config) and Java system properties (properties) for some servers only, by id",
          ),
        versions: z
          .record(z.string().regex(/^[1-9]$/, "a server id from 1 to 9"), versionText)
          .optional()
          .describe("Releases for some servers (id -> x.y.z): a mixed-version ensemble"),
      })
      .strict()
      .default({ profile: "fast" })
      .describe("The servers' settings"),
    workload: z
      .object({
        kind: z
          .enum(["topology", "registers", "transactions"])
          .default("registers")
          .describe(
            "What the workers do: registers (reads, writes, compare-and-set; Jepsen's), topology (MidoNet's bridges, routers, ports, ARP tables, host registrations), transactions (multi over several keys, multiRead)",
          ),
        workers: z
          .number()
          .int()
          .min(1)
          .max(500)
          .default(6)
          .describe("Client sessions issuing operations"),
        rate: z
          .number()
          .positive("operations per second per worker: above zero")
          .max(10_000, "at most 10000 operations per second per worker")
          .default(20)
          .describe("Operations per second per worker"),
        connect: z
          .enum(["all", "one", "proxies"])
          .default("all")
          .describe(
            "Which servers a worker's session may use: all (ZooKeeper's connect string), one (a server each), proxies (through the fault network's client proxies)",
          ),
        registers: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(3)
          .describe("Registers (znodes) of the registers workload"),
        keys: z
          .number()
          .int()
          .min(1)
          .max(100)
          .default(5)
          .describe("Keys of the transactions workload: znodes each multi and read picks from"),
        sessionTimeout: positiveDuration.default(4000).describe("Each session's timeout"),
        operationTimeout: positiveDuration
          .default(2000)
          .describe("How long an operation may take before it counts as of unknown outcome"),
        watch: watchSchema
          .optional()
          .describe(
            "Agents that consume what the workers write through watches (MidoNet agents' way), checked by the watch checker",
          ),
        roles: z
          .array(
            z
              .object({
                workers: z
                  .number()
                  .int()
                  .min(1)
                  .describe("How many of the workers (taken in order) play this role"),
                mix: z
                  .object({
                    read: z.number().min(0).optional(),
                    syncedRead: z.number().min(0).optional(),
                    write: z.number().min(0).optional(),
                    cas: z.number().min(0).optional(),
                  })
                  .strict()
                  .describe(
                    "Relative weights of reads, synced reads (sync then read), writes and compare-and-sets",
                  )
                  .refine(
                    (mix) =>
                      (mix.read ?? 0) + (mix.syncedRead ?? 0) + (mix.write ?? 0) + (mix.cas ?? 0) >
                      0,
                    { message: "a mix needs at least one operation with a weight above 0" },
                  )
                  .optional(),
                pin: z
                  .union([
                    z.number().int().min(1).max(9),
                    z.enum(["leader", "followers", "minority", "majority"]),
                  ])
                  .optional()
                  .describe(
                    "The servers this role's sessions connect to (an id or a role, resolved at the start)",
                  ),
                pinAt: z
                  .string()
                  .min(1)
                  .optional()
                  .describe(
                    "Resolve the pin just before this fault (by id) acts, not at the start",
                  ),
                sessionOps: z
                  .number()
                  .int()
                  .min(1)
                  .optional()
                  .describe(
                    "End the session after this many operations and open a new one (agents restarting)",
                  ),
              })
              .strict(),
          )
          .optional()
          .describe(
            "Groups of the first workers with their own mix and placement (registers workload)",
          ),
      })
      .strict()
      .default({
        kind: "registers",
        workers: 6,
        rate: 20,
        connect: "all",
        registers: 3,
        keys: 5,
        sessionTimeout: 4000,
        operationTimeout: 2000,
      })
      .describe("The clients: how many, what they do, how fast"),
    faults: z
      .array(
        z
          .object({
            id: faultId
              .optional()
              .describe("Names the fault for after / same-as / other-than (default f<position>)"),
            at: duration
              .default(0)
              .describe(
                "From the run's start, or with `after` from that fault's start; a trigger is armed then",
              ),
            for: duration
              .default(0)
              .describe("How long the fault lasts before its heal (0: until the end)"),
            fault: faultSchema.describe("What happens: a fault kind and the kind's own fields"),
            when: trigger
              .optional()
              .describe(
                "Start the fault on a server's log line, a state, or a peer message instead of at a time",
              ),
            after: faultId.optional().describe("Time `at` from this fault's start"),
          })
          .strict(),
      )
      .default([])
      .describe("The faults, each with its time (or trigger) and length"),
    random: z
      .object({
        kinds: z
          .array(
            z.enum(RANDOM_KINDS, {
              error: () => ({
                message: `not a fault kind a random schedule can draw: valid kinds are ${RANDOM_KINDS.join(", ")}`,
              }),
            }),
          )
          .min(1)
          .describe("The fault kinds to draw from"),
        minGap: positiveDuration
          .default(2000)
          .describe("Shortest wait between faults (default 2s)"),
        maxGap: positiveDuration.default(5000).describe("Longest wait between faults (default 5s)"),
        minFault: positiveDuration.default(3000).describe("Shortest fault (default 3s)"),
        maxFault: positiveDuration.default(6000).describe("Longest fault (default 6s)"),
      })
      .strict()
      .refine((random) => random.minGap <= random.maxGap, {
        message: "minGap is above maxGap",
        path: ["minGap"],
      })
      .refine((random) => random.minFault <= random.maxFault, {
        message: "minFault is above maxFault",
        path: ["minFault"],
      })
      .optional()
      .describe(
        "A random schedule: faults of these kinds drawn from the seed, gaps and lengths between the bounds",
      ),
    checkers: z
      .array(
        z.enum(CHECKER_NAMES, {
          error: () => ({
            message: `unknown checker: valid checkers are ${CHECKER_NAMES.join(", ")}`,
          }),
        }),
      )
      .min(1, {
        message: `a run that checks nothing is never valid: name at least one checker (${CHECKER_NAMES.join(", ")}), or leave checkers out for the default ones (${DEFAULT_CHECKERS.join(", ")})`,
      })
      .default([...DEFAULT_CHECKERS])
      .describe("The checkers that judge the run"),
    bug: z
      .object({
        jira: z
          .array(z.string().regex(/^ZOOKEEPER-\d+$/, "a JIRA key, e.g. ZOOKEEPER-4643"))
          .min(1)
          .describe("The bug's JIRA keys, e.g. ZOOKEEPER-4643"),
        title: z.string().min(1).describe("The bug in one line"),
        /**
         * The checkers whose anomalies show this bug (verdict names, e.g.
         * zookeeper-registers); others' findings are reported beside it.
         * Default: every consistency checker.
         */
        signature: z
          .array(
            z.string().regex(/^[a-z0-9-]+$/, "a checker's verdict name, e.g. zookeeper-registers"),
          )
          .min(1)
          .optional()
          .describe(
            "The checkers whose anomalies show this bug (verdict names, e.g. zookeeper-registers); default every consistency checker",
          ),
        message: regularExpression("not a regular expression: check its brackets and escapes")
          .optional()
          .describe(
            "A regular expression one of the bug's anomalies' messages matches (e.g. its exception's text): where a checker can show several bugs, a finding matches this one only with it",
          ),
        expect: z
          .array(
            z
              .object({
                versions: z
                  .string()
                  .refine(
                    (range) => {
                      try {
                        validateRange(range);
                        return true;
                      } catch {
                        return false;
                      }
                    },
                    {
                      message:
                        "a version range: *, >=3.9.4, <3.9.3, <=3.8.6, 3.5.0-3.9.2 or one version",
                    },
                  )
                  .describe(
                    "A version range: *, >=3.9.4, <3.9.3, <=3.8.6, 3.5.0-3.9.2 or one version",
                  ),
                outcome: z
                  .enum(["reproduced", "absent"])
                  .describe("What a run on a version in the range must show"),
              })
              .strict(),
          )
          .min(1)
          .describe("What each version range must show: the bug reproduced, or absent"),
      })
      .strict()
      .optional()
      .describe(
        "The ZooKeeper bug this scenario documents, with what each version range must show",
      ),
    network: z
      .object({
        wire: z
          .enum(["off", "summary", "full"])
          .optional()
          .describe(
            "Record the peer messages the proxies decode: off, summary, or full (with each body's first bytes)",
          ),
        link: networkLinkSchema
          .optional()
          .describe(
            "One network every client and peer connection shares (a bandwidth and a queue), with or without a saturating data path on it; needs workload.connect: proxies",
          ),
      })
      .strict()
      .default({})
      .describe("The fault network between the servers"),
    expect: z
      .object({
        unavailable: z
          .boolean()
          .default(false)
          .describe("The faults must take the quorum away at some point (e.g. kill f+1)"),
        anomalies: z
          .object({
            checkers: z
              .array(
                z
                  .string()
                  .regex(/^[a-z0-9-]+$/, "a checker's verdict name, e.g. leader-completeness"),
              )
              .min(1)
              .describe("Checkers (verdict names) that must each find an anomaly"),
            cause: z
              .string()
              .min(1)
              .describe(
                "Text every consistency anomaly's cause must contain (each blamed on the mistake)",
              ),
          })
          .strict()
          .optional()
          .describe(
            "For a scenario that breaks things on purpose (an operator's mistake): the run passes when these checkers find anomalies and every one is blamed on the cause",
          ),
      })
      .strict()
      .default({ unavailable: false })
      .describe("What the run must show besides the checkers' guarantees"),
  })
  .strict();

/** A validated scenario (durations in ms). */
export type Scenario = z.output<typeof scenarioSchema>;

/** The JSON Schema of scenario files, for editors. */
export function scenarioJsonSchema(): unknown {
  const schema = z.toJSONSchema(scenarioSchema, { io: "input" }) as JsonSchemaNode;
  // Each fault kind's description is the catalogue's one line (editors show it on hover).
  for (const variant of faultVariants(schema)) {
    const kind = variant.properties?.kind?.const;
    if (typeof kind === "string" && Object.hasOwn(FAULT_CATALOGUE, kind))
      variant.description = FAULT_CATALOGUE[kind as FaultKind];
    else if (kind === "rolling-upgrade")
      variant.description =
        "every server in turn (by id) upgraded to `version`, spread evenly over the entry's `for`";
  }
  return schema;
}

/** The part of a JSON Schema node the scenario reference reads. */
export interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  oneOf?: JsonSchemaNode[];
  anyOf?: JsonSchemaNode[];
  additionalProperties?: JsonSchemaNode | boolean;
  minimum?: number;
  maximum?: number;
  [key: string]: unknown;
}

/** The fault kinds' variants in the scenario schema. */
export function faultVariants(schema: JsonSchemaNode): JsonSchemaNode[] {
  return schema.properties?.faults?.items?.properties?.fault?.oneOf ?? [];
}
