/**
 * The shape of results.json, checked when a run folder is read back
 * (`zk-chaos report DIR`): a hand-edited or tampered file is refused with the
 * field at fault instead of being rendered raw into a page.
 */
import { z } from "zod";
import { BadInputError } from "../errors.js";
import type { ResultsFile } from "./results.js";

const count = z.number().int().min(0);
const milliseconds = z.number().finite().min(0);
const validity = z.union([z.literal(true), z.literal(false), z.literal("unknown")]);

const verdict = z.object({
  checker: z.string(),
  guarantee: z.string(),
  valid: validity,
  anomalies: z.array(
    z.object({
      kind: z.string(),
      message: z.string(),
      events: z.array(count),
      cause: z
        .object({
          message: z.string(),
          events: z.array(count),
          knownBugs: z.array(z.string()).optional(),
          dataDestroyed: z.literal(true).optional(),
        })
        .optional(),
    }),
  ),
  stats: z.record(z.string(), z.unknown()).optional(),
  elapsedMs: milliseconds,
});

const bug = z.object({
  jira: z.array(z.string()),
  title: z.string(),
  version: z.string(),
  observed: z.enum(["reproduced", "absent", "unknown"]),
  expected: z.enum(["reproduced", "absent"]).optional(),
  matched: z.union([z.boolean(), z.literal("unknown")]),
  unfiredTriggers: z.array(z.string()).optional(),
  signature: z.array(z.string()).optional(),
});

/** results.json as zk-chaos writes it (schema version 1). */
export const resultsFileSchema = z.object({
  schemaVersion: z.literal(1),
  scenario: z.string(),
  description: z.string(),
  nodes: z.number().int().min(1).max(9),
  seed: z.number().int(),
  zooKeeperVersion: z.string(),
  valid: validity,
  operations: count,
  events: count,
  timings: z.object({
    startMs: milliseconds,
    runMs: milliseconds,
    recoveryMs: milliseconds.optional(),
    totalMs: milliseconds,
    checkMs: milliseconds.optional(),
  }),
  latency: z
    .object({
      okOperations: count,
      p50Ms: milliseconds,
      p95Ms: milliseconds,
      p99Ms: milliseconds,
    })
    .optional(),
  replay: z.string(),
  startedAt: z.string().optional(),
  commit: z.string().max(64).optional(),
  verdicts: z.array(verdict),
  bug: bug.optional(),
  expected: z
    .object({
      checkers: z.array(z.string()),
      cause: z.string(),
      matched: validity,
      reason: z.string(),
    })
    .optional(),
});

/** Parses results.json's text; a file that is not what zk-chaos writes is bad input, naming the field. */
export function parseResultsFile(text: string, path: string): ResultsFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BadInputError(`${path}: not JSON (${(error as Error).message})`);
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (version !== 1)
    throw new BadInputError(
      `${path}: results schema version ${JSON.stringify(version)} is not one this zk-chaos reads (1)`,
    );
  const parsed = resultsFileSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadInputError(
      `${path}: ${issue?.path.join(".") || "(top level)"}: ${issue?.message ?? "not a results file"}: it is not what 'zk-chaos run' wrote; run the scenario again`,
    );
  }
  return parsed.data as ResultsFile;
}
