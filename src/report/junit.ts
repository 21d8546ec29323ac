import { escapeHtml } from "./html-escape.js";
import type { ResultsFile } from "./results.js";

/** Escapes text for XML attributes and content. */
export function escapeXml(text: string): string {
  let clean = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    // XML 1.0 allows no control characters but tab, newline and carriage return.
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) continue;
    clean += char;
  }
  // The HTML escapes (a numeric reference for ') are XML's too.
  return escapeHtml(clean);
}

/** The properties CI shows beside a run's tests: how to tell it apart and replay it. */
function properties(run: ResultsFile): string {
  const entries: [string, string][] = [
    ["scenario", run.scenario],
    ["nodes", String(run.nodes)],
    ["seed", String(run.seed)],
    ["zookeeper-version", run.zooKeeperVersion],
    ["replay", run.replay],
  ];
  return `      <properties>\n${entries
    .map(
      ([name, value]) =>
        `        <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`,
    )
    .join("\n")}\n      </properties>`;
}

/** One run's test cases, with how many failed and how many ended in error. */
function runCases(run: ResultsFile): { cases: string[]; failures: number; errors: number } {
  const cases: string[] = [];
  let failures = 0;
  let errors = 0;
  const version = run.zooKeeperVersion.replace(/\./g, "_");
  // A known-bug run, or a mistake made on purpose, is one test: did it show what its scenario expects?
  const expectation = run.bug
    ? {
        classname: `zk-chaos.known-bugs.zk${version}.n${run.nodes}`,
        name: `${run.bug.jira.join(", ")}: ${run.bug.title}`,
        matched: run.bug.matched,
        summary: `observed ${run.bug.observed}, expected ${run.bug.expected ?? "nothing"}`,
        type: "known-bug",
      }
    : run.expected
      ? {
          classname: `zk-chaos.${run.scenario}.zk${version}.n${run.nodes}`,
          name: `expected anomalies (${run.expected.checkers.join(", ")}) blamed on "${run.expected.cause}"`,
          matched: run.expected.matched,
          summary: run.expected.reason,
          type: "expected-anomalies",
        }
      : undefined;
  if (expectation) {
    const classname = escapeXml(expectation.classname);
    const name = escapeXml(expectation.name);
    if (expectation.matched === true)
      cases.push(`    <testcase classname="${classname}" name="${name}" time="0"/>`);
    else {
      const tag = expectation.matched === "unknown" ? "error" : "failure";
      if (tag === "error") errors++;
      else failures++;
      cases.push(
        `    <testcase classname="${classname}" name="${name}" time="0"><${tag} message="${escapeXml(expectation.summary)}" type="${expectation.type}">${escapeXml(`${expectation.summary}\nreplay: ${run.replay}`)}</${tag}></testcase>`,
      );
    }
    return { cases, failures, errors };
  }
  const classname = escapeXml(`zk-chaos.${run.scenario}.zk${version}.n${run.nodes}`);
  for (const verdict of run.verdicts) {
    const name = escapeXml(`${verdict.checker} (${verdict.guarantee})`);
    const time = (verdict.elapsedMs / 1000).toFixed(3);
    if (verdict.valid === true) {
      cases.push(`    <testcase classname="${classname}" name="${name}" time="${time}"/>`);
    } else if (verdict.valid === "unknown") {
      // Undecided is not a pass, and not a skip: the command exits 3, so CI must not look green.
      errors++;
      cases.push(
        `    <testcase classname="${classname}" name="${name}" time="${time}"><error message="verdict unknown" type="unknown">${escapeXml(`the checker could not decide\nreplay: ${run.replay}`)}</error></testcase>`,
      );
    } else {
      failures++;
      const body = verdict.anomalies
        .map((a) => `${a.kind}: ${a.message} (events ${a.events.slice(0, 20).join(", ")})`)
        .join("\n");
      const message = escapeXml(verdict.anomalies[0]?.message ?? "invalid");
      cases.push(
        `    <testcase classname="${classname}" name="${name}" time="${time}"><failure message="${message}" type="${escapeXml(verdict.anomalies[0]?.kind ?? "anomaly")}">${escapeXml(`${body}\nreplay: ${run.replay}`)}</failure></testcase>`,
      );
    }
  }
  return { cases, failures, errors };
}

/**
 * JUnit XML: a test suite per run (its seed, version and replay command as
 * properties, its start as the timestamp), a test case per checker (per bug
 * for known-bug scenarios); anomalies are failures, undecided verdicts errors.
 */
export function junitReport(runs: readonly ResultsFile[]): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites = runs.map((run) => {
    const found = runCases(run);
    tests += found.cases.length;
    failures += found.failures;
    errors += found.errors;
    const name = escapeXml(
      `${run.scenario} n=${run.nodes} zk=${run.zooKeeperVersion} seed=${run.seed}`,
    );
    const timestamp = run.startedAt
      ? ` timestamp="${escapeXml(run.startedAt.replace(/Z$/, ""))}"`
      : "";
    return `  <testsuite name="${name}" tests="${found.cases.length}" failures="${found.failures}" errors="${found.errors}" skipped="0"${timestamp} time="${(run.timings.totalMs / 1000).toFixed(3)}">
${properties(run)}
${found.cases.join("\n")}
  </testsuite>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="zk-chaos" tests="${tests}" failures="${failures}" errors="${errors}">
${suites.join("\n")}
</testsuites>
`;
}
