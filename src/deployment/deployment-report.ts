/**
 * The deployment report: each size's capacity with every server up, with f
 * down and across a leader kill, per neighbour; the neighbour's own
 * throughput beside what it cost ZooKeeper; the deployment guide's rules,
 * each confirmed or contradicted by these numbers; and one recommendation.
 */
import { relative } from "node:path";
import { type Ramp, supervisorName } from "./capacity.js";
import type { Deployment, DeploymentState } from "./deployment-schema.js";

/** A rule of MidoNet's deployment guide and what the numbers say of it. */
export interface RuleVerdict {
  readonly rule: string;
  readonly verdict: "confirmed" | "contradicted" | "not measured";
  readonly evidence: string;
}

/** The baseline network: the first the deployment lists (its ramps come first). */
const baseNetwork = (ramps: readonly Ramp[]) => ramps[0]?.network ?? "none";

/** The ramps without a supervisor, on the baseline network: what the servers carry on their own. */
const unsupervised = (ramps: readonly Ramp[]) =>
  ramps.filter((ramp) => ramp.supervisor === "none" && ramp.network === baseNetwork(ramps));

const capacityOf = (
  ramps: readonly Ramp[],
  nodes: number,
  state: DeploymentState,
  neighbour = "none",
) =>
  unsupervised(ramps).find(
    (ramp) => ramp.nodes === nodes && ramp.state === state && ramp.neighbour === neighbour,
  )?.outcome.capacity;

/** The worst state's capacity of a size (the least it carries whatever happens among the states measured). */
function worstCapacity(
  ramps: readonly Ramp[],
  nodes: number,
  neighbour: string,
  supervisor: Ramp["supervisor"] = "none",
): number | undefined {
  const own = ramps.filter(
    (ramp) =>
      ramp.nodes === nodes &&
      ramp.neighbour === neighbour &&
      ramp.supervisor === supervisor &&
      ramp.network === baseNetwork(ramps),
  );
  return own.length === 0 ? undefined : Math.min(...own.map((ramp) => ramp.outcome.capacity));
}

/** The guide's rules, judged by the ramps. */
export function judgeRules(deployment: Deployment, ramps: readonly Ramp[]): RuleVerdict[] {
  const verdicts: RuleVerdict[] = [];
  const fewDozen = 36;
  const three = capacityOf(ramps, 3, "f-down");
  verdicts.push(
    three === undefined
      ? {
          rule: "3 servers for production",
          verdict: "not measured",
          evidence: "size 3 with a server down was not measured",
        }
      : {
          rule: "3 servers for production",
          verdict: three > 0 ? "confirmed" : "contradicted",
          evidence:
            three > 0
              ? `3 servers with one down carried ${three} agent(s) within the service level`
              : `3 servers with one down broke the service level at the first step (${deployment.agents.ramp[0]} agents)`,
        },
  );
  const five = capacityOf(ramps, 5, "f-down") ?? capacityOf(ramps, 7, "f-down");
  if (three === undefined || five === undefined)
    verdicts.push({
      rule: "5 or 7 servers beyond a few dozen agents",
      verdict: "not measured",
      evidence: "needs sizes 3 and 5 (or 7) with servers down",
    });
  else {
    const threeEnough = three >= fewDozen;
    verdicts.push({
      rule: "5 or 7 servers beyond a few dozen agents",
      verdict: threeEnough ? "contradicted" : "confirmed",
      evidence: threeEnough
        ? `3 servers with one down carried ${three} agents (a few dozen is ${fewDozen})`
        : `3 servers with one down carried ${three} agent(s), fewer than a few dozen (${fewDozen}); the larger size carried ${five}`,
    });
  }
  verdicts.push(neighbourRule(deployment, unsupervised(ramps)));
  verdicts.push(networkRule(deployment, ramps));
  verdicts.push(supervisorRule(deployment, ramps));
  return verdicts;
}

/** A neighbour as a sentence names it. */
export function neighbourName(neighbour: Ramp["neighbour"]): string {
  const names: Readonly<Record<Ramp["neighbour"], string>> = {
    none: "nothing",
    cassandra: "Cassandra",
    "cassandra-node": "a Cassandra node",
  };
  return names[neighbour];
}

/**
 * "Cassandra and ZooKeeper on separate nodes": confirmed when a size carried
 * fewer agents beside the neighbour in some state; contradicted when both
 * ramps broke at the same step; not measured when they never broke.
 */
function neighbourRule(deployment: Deployment, ramps: readonly Ramp[]): RuleVerdict {
  const rule = "Cassandra and ZooKeeper on separate nodes";
  const pairs = ramps.flatMap((alone) => {
    if (alone.neighbour !== "none") return [];
    const beside = ramps.find(
      (ramp) =>
        ramp.neighbour !== "none" && ramp.nodes === alone.nodes && ramp.state === alone.state,
    );
    return beside === undefined ? [] : [{ alone, beside }];
  });
  if (pairs.length === 0)
    return {
      rule,
      verdict: "not measured",
      evidence: "needs the neighbour variants none and cassandra (or cassandra-node)",
    };
  const text = (pair: (typeof pairs)[number]) =>
    `${pair.alone.nodes} servers ${pair.alone.state}: ${pair.alone.outcome.capacity} agent(s) alone, ${pair.beside.outcome.capacity} beside ${neighbourName(pair.beside.neighbour)}`;
  const costly = pairs.filter((pair) => pair.beside.outcome.capacity < pair.alone.outcome.capacity);
  if (costly.length > 0)
    return { rule, verdict: "confirmed", evidence: costly.map(text).join("; ") };
  const decided = pairs.filter((pair) => !pair.alone.outcome.held && !pair.beside.outcome.held);
  if (decided.length > 0)
    return { rule, verdict: "contradicted", evidence: decided.map(text).join("; ") };
  return {
    rule,
    verdict: "not measured",
    evidence: `every ramp held to its last step (${deployment.agents.ramp.at(-1)} agents), with and without the neighbour: extend the ramp`,
  };
}

/** The same size and state measured on a separate and on a shared network (no neighbour, no supervisor). */
function networkPairs(ramps: readonly Ramp[]): { separate: Ramp; shared: Ramp }[] {
  const plain = ramps.filter((ramp) => ramp.neighbour === "none" && ramp.supervisor === "none");
  return plain.flatMap((separate) => {
    if (separate.network !== "separate") return [];
    const shared = plain.find(
      (ramp) =>
        ramp.network === "shared" && ramp.nodes === separate.nodes && ramp.state === separate.state,
    );
    return shared === undefined ? [] : [{ separate, shared }];
  });
}

/**
 * "A management network separate from the data path": confirmed when a size
 * carried fewer agents with the data path on ZooKeeper's link, or the same
 * agents at a p99 write at least twice as slow; contradicted when neither.
 */
function networkRule(deployment: Deployment, ramps: readonly Ramp[]): RuleVerdict {
  const rule = "A management network separate from the data path";
  const pairs = networkPairs(ramps);
  if (pairs.length === 0)
    return {
      rule,
      verdict: "not measured",
      evidence: "needs the network variants separate and shared",
    };
  const p99 = (ramp: Ramp, agents: number) =>
    ramp.steps.find((step) => step.agents === agents)?.p99WriteMs;
  const text = ({ separate, shared }: (typeof pairs)[number]) => {
    const top = Math.min(separate.steps.at(-1)?.agents ?? 0, shared.steps.at(-1)?.agents ?? 0);
    return `${separate.nodes} servers ${separate.state}: ${separate.outcome.capacity} agent(s) on a separate network, ${shared.outcome.capacity} sharing it with the data path (p99 write at ${top} agents ${ms(p99(separate, top))} vs ${ms(p99(shared, top))} ms)`;
  };
  const slower = ({ separate, shared }: (typeof pairs)[number]) =>
    shared.steps.some((step) => {
      const base = p99(separate, step.agents);
      return step.p99WriteMs !== undefined && base !== undefined && step.p99WriteMs >= 2 * base;
    });
  const costly = pairs.filter(
    (pair) => pair.shared.outcome.capacity < pair.separate.outcome.capacity || slower(pair),
  );
  if (costly.length > 0)
    return { rule, verdict: "confirmed", evidence: costly.map(text).join("; ") };
  return {
    rule,
    verdict: "contradicted",
    evidence: `${pairs.map(text).join("; ")}: the data path at ${deployment.variants.networkMbPerS} MB/s cost ZooKeeper neither capacity nor latency`,
  };
}

/** Per size, state and step on both networks: ZooKeeper's p99 write and what the data path moved. */
function networkEffect(ramps: readonly Ramp[]): string[] {
  const rows = networkPairs(ramps).flatMap(({ separate, shared }) =>
    shared.steps.flatMap((step) => {
      const base = separate.steps.find((each) => each.agents === step.agents);
      if (base === undefined) return [];
      const change =
        base.p99WriteMs === undefined || step.p99WriteMs === undefined
          ? "-"
          : `${step.p99WriteMs >= base.p99WriteMs ? "+" : ""}${Math.round(step.p99WriteMs - base.p99WriteMs)}`;
      const moved = (value: number | undefined) => (value === undefined ? "-" : value.toFixed(1));
      return [
        `| ${shared.nodes} | ${shared.state} | ${step.agents} | ${ms(base.p99WriteMs)} | ${ms(step.p99WriteMs)} | ${change} | ${moved(base.dataPathMbPerS)} | ${moved(step.dataPathMbPerS)} |`,
      ];
    }),
  );
  if (rows.length === 0) return [];
  return [
    "## The shared network's effect",
    "",
    "| servers | state | agents | p99 write ms, separate network | shared with the data path | change ms | data path MB/s, separate | data path MB/s, shared |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ];
}

/** "A supervisor (Exhibitor) for the servers": the worst state's capacity with and without one, per size. */
function supervisorRule(deployment: Deployment, ramps: readonly Ramp[]): RuleVerdict {
  const rule = "Exhibitor (a supervisor) for the servers";
  const supervisors = deployment.variants.supervisor.filter((each) => each !== "none");
  const pairs = deployment.sizes.flatMap((nodes) =>
    supervisors.flatMap((supervisor) => {
      const alone = worstCapacity(ramps, nodes, "none");
      const watched = worstCapacity(ramps, nodes, "none", supervisor);
      return alone === undefined || watched === undefined
        ? []
        : [{ nodes, supervisor, alone, watched }];
    }),
  );
  if (pairs.length === 0)
    return {
      rule,
      verdict: "not measured",
      evidence: "needs the supervisor variants none and a restart delay",
    };
  const evidence = pairs
    .map(
      (pair) =>
        `${pair.nodes} servers: ${pair.alone} agent(s) in the worst state alone, ${pair.watched} restarted after ${pair.supervisor / 1000} s`,
    )
    .join("; ");
  if (pairs.some((pair) => pair.watched < pair.alone))
    return { rule, verdict: "contradicted", evidence };
  return {
    rule,
    verdict: pairs.some((pair) => pair.watched > pair.alone) ? "confirmed" : "not measured",
    evidence,
  };
}

/** Per size, state and step run both ways: ZooKeeper's p99 write alone and beside the neighbour, and the neighbour's own throughput. */
function neighbourEffect(ramps: readonly Ramp[]): string[] {
  const rows = ramps.flatMap((beside) => {
    if (beside.neighbour === "none") return [];
    const alone = ramps.find(
      (ramp) =>
        ramp.neighbour === "none" && ramp.nodes === beside.nodes && ramp.state === beside.state,
    );
    return beside.steps.flatMap((step) => {
      const base = alone?.steps.find((each) => each.agents === step.agents);
      if (base === undefined || step.neighbour === undefined) return [];
      const change =
        base.p99WriteMs === undefined || step.p99WriteMs === undefined
          ? "-"
          : `${step.p99WriteMs >= base.p99WriteMs ? "+" : ""}${Math.round(step.p99WriteMs - base.p99WriteMs)}`;
      return [
        `| ${beside.nodes} | ${beside.state} | ${step.agents} | ${ms(base.p99WriteMs)} | ${ms(step.p99WriteMs)} | ${change} | ${step.neighbour.fsyncedMbPerS.toFixed(1)} | ${step.neighbour.readMbPerS.toFixed(1)} |`,
      ];
    });
  });
  if (rows.length === 0) return [];
  return [
    "## The neighbour's effect",
    "",
    "| servers | state | agents | p99 write ms alone | beside Cassandra | change ms | neighbour MB/s fsync'd | neighbour MB/s read |",
    "|---|---|---|---|---|---|---|---|",
    ...rows,
    "",
  ];
}

/** The smallest size (alone) that holds the planned agents (else the ramp's largest) in every state measured. */
export function recommendation(deployment: Deployment, ramps: readonly Ramp[]): string {
  const wanted = deployment.agents.planned ?? (deployment.agents.ramp.at(-1) as number);
  for (const nodes of deployment.sizes) {
    const worst = worstCapacity(ramps, nodes, "none");
    if (worst !== undefined && worst >= wanted)
      return `Run ${nodes} servers: they held ${wanted} agents in every state measured (${deployment.states.join(", ")}), at least ${worst} in the worst.`;
  }
  const best = deployment.sizes
    .map((nodes) => ({ nodes, worst: worstCapacity(ramps, nodes, "none") ?? 0 }))
    .sort((a, b) => b.worst - a.worst)[0];
  return `No size measured holds ${wanted} agents in every state; the best, ${best?.nodes} servers, held ${best?.worst} in its worst state: split the agents, raise the service level, or measure larger sizes.`;
}

const ms = (value: number | "never" | undefined) =>
  value === undefined ? "-" : value === "never" ? "never" : `${Math.round(value)}`;

/** The report in Markdown, links relative to `dir`. */
export function deploymentMarkdown(
  deployment: Deployment,
  ramps: readonly Ramp[],
  dir: string,
): string {
  const rules = judgeRules(deployment, ramps);
  const level = deployment.serviceLevel;
  const lines = [
    `# Deployment ${deployment.name}`,
    "",
    deployment.description,
    "",
    `Service level: p99 write at most ${level.p99WriteMs} ms, at most ${level.sessionExpiries} session expiries per step, writes back within ${level.electionMs} ms of a leader kill. Agents watch ${deployment.agents.watch}; ${deployment.agents.writers} writer(s) at ${deployment.agents.writeRate}/s; session timeout ${deployment.agents.sessionTimeout} ms; ${deployment.stepDuration / 1000} s per step.`,
    "",
    `**${recommendation(deployment, ramps)}**`,
    "",
    "## Capacity (agents within the service level)",
    "",
    "| servers | neighbour | network | supervisor | state | capacity | broke at | why |",
    "|---|---|---|---|---|---|---|---|",
    ...ramps.map(
      (ramp) =>
        `| ${ramp.nodes} | ${ramp.neighbour} | ${ramp.network} | ${supervisorName(ramp.supervisor)} | ${ramp.state} | ${ramp.outcome.held ? `≥ ${ramp.outcome.capacity}` : ramp.outcome.capacity} | ${ramp.outcome.brokeAt?.agents ?? "-"} | ${ramp.outcome.brokeAt?.why.join("; ") ?? "held every step"} |`,
    ),
    "",
    "## The guide's rules",
    "",
    ...rules.map((rule) => `- ${rule.rule}: **${rule.verdict}**. ${rule.evidence}.`),
    "",
    ...neighbourEffect(unsupervised(ramps)),
    ...networkEffect(ramps),
    "## Every step",
    "",
    "| servers | neighbour | network | supervisor | state | agents | p99 write ms | writes | expired | writes back ms | neighbour MB/s fsync'd | data path MB/s | run |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...ramps.flatMap((ramp) =>
      ramp.steps.map(
        (step) =>
          `| ${ramp.nodes} | ${ramp.neighbour} | ${ramp.network} | ${supervisorName(ramp.supervisor)} | ${ramp.state} | ${step.agents} | ${ms(step.p99WriteMs)} | ${step.okWrites} | ${step.sessionExpiries} | ${ms(step.electionMs)} | ${step.neighbour ? step.neighbour.fsyncedMbPerS.toFixed(1) : "-"} | ${step.dataPathMbPerS?.toFixed(1) ?? "-"} | [run](${relative(dir, step.dir)}/report.html) |`,
      ),
    ),
    "",
  ];
  return lines.join("\n");
}
