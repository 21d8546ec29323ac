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
  return clean
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

/** JUnit XML: one test case per scenario x size x checker; failures carry the anomalies. */
export function junitReport(runs: readonly ResultsFile[]): string {
  const cases: string[] = [];
  let failures = 0;
  let skipped = 0;
  for (const run of runs) {
    if (run.bug) {
      // A known-bug run is one test: did it show what its scenario expects on this version?
      const { bug } = run;
      const classname = escapeXml(
        `zk-chaos.known-bugs.zk${run.zooKeeperVersion.replace(/\./g, "_")}.n${run.nodes}`,
      );
      const name = escapeXml(`${bug.jira.join(", ")}: ${bug.title}`);
      const summary = `observed ${bug.observed}, expected ${bug.expected ?? "nothing"}`;
      if (bug.matched === true)
        cases.push(`    <testcase classname="${classname}" name="${name}" time="0"/>`);
      else {
        failures++;
        cases.push(
          `    <testcase classname="${classname}" name="${name}" time="0"><failure message="${escapeXml(summary)}" type="known-bug">${escapeXml(`${summary}\nreplay: ${run.replay}`)}</failure></testcase>`,
        );
      }
      continue;
    }
    for (const verdict of run.verdicts) {
      const name = escapeXml(`${verdict.checker} (${verdict.guarantee})`);
      const classname = escapeXml(
        `zk-chaos.${run.scenario}.zk${run.zooKeeperVersion.replace(/\./g, "_")}.n${run.nodes}`,
      );
      const time = (verdict.elapsedMs / 1000).toFixed(3);
      if (verdict.valid === true) {
        cases.push(`    <testcase classname="${classname}" name="${name}" time="${time}"/>`);
      } else if (verdict.valid === "unknown") {
        skipped++;
        cases.push(
          `    <testcase classname="${classname}" name="${name}" time="${time}"><skipped message="verdict unknown"/></testcase>`,
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
  }
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="zk-chaos" tests="${cases.length}" failures="${failures}" skipped="${skipped}">
  <testsuite name="zk-chaos" tests="${cases.length}" failures="${failures}" skipped="${skipped}">
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}
