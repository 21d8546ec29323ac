/**
 * What a campaign leaves for people and CI: report.html (coverage over time,
 * the corpus, each finding with links to its finding.md and scenario) and
 * junit.xml (one case per finding; one passing case when none).
 */
import { writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { escapeHtml } from "../report/html-escape.js";
import { escapeXml } from "../report/junit.js";
import type { CorpusEntry } from "./corpus.js";
import { countedFindings, type ExploreResult } from "./explore-result.js";

/** Coverage over runs as a small inline SVG line. */
function coverageSvg(points: ExploreResult["coverageOverTime"]): string {
  const width = 640;
  const height = 160;
  if (points.length === 0) return "<p>No run finished.</p>";
  const maxRun = Math.max(1, ...points.map((point) => point.run));
  const maxGrams = Math.max(1, ...points.map((point) => point.grams));
  const path = points
    .map((point, index) => {
      const x = 40 + ((width - 50) * point.run) / maxRun;
      const y = height - 20 - ((height - 30) * point.grams) / maxGrams;
      return `${index === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="coverage over runs">
<line x1="40" y1="${height - 20}" x2="${width - 10}" y2="${height - 20}" stroke="#888"/><line x1="40" y1="10" x2="40" y2="${height - 20}" stroke="#888"/>
<text x="44" y="20" font-size="11">${maxGrams} grams</text><text x="${width - 60}" y="${height - 5}" font-size="11">run ${maxRun}</text>
<path d="${path}" fill="none" stroke="#1f6feb" stroke-width="2"/></svg>`;
}

/** Writes report.html and junit.xml into `dir`; returns their paths. */
export function writeExploreReport(
  dir: string,
  result: ExploreResult,
  corpus: readonly CorpusEntry[],
  seed: number,
): { html: string; junit: string } {
  const link = (path: string, text: string) =>
    `<a href="${escapeHtml(relative(dir, path))}">${escapeHtml(text)}</a>`;
  const findings = result.findings
    .map(
      (finding) =>
        `<tr><td>${escapeHtml(finding.id)}</td><td>${escapeHtml(finding.key.join(", "))}</td><td>${finding.faults} fault(s), ${Math.round(finding.durationMs / 1000)} s</td><td>${finding.rate.reproduced}/${finding.rate.of}</td><td>${escapeHtml(finding.outsideModel !== undefined ? `outside ZooKeeper's fault model: ${finding.outsideModel}` : finding.jira.join(", ") || "none documented")}</td><td>${link(join(finding.dir, "finding.md"), "finding.md")} ${link(join(finding.dir, "scenario.yaml"), "scenario.yaml")}</td></tr>`,
    )
    .join("\n");
  const entries = corpus
    .map(
      (entry) =>
        `<tr><td>${escapeHtml(entry.id)}</td><td>${escapeHtml(entry.how)}${entry.parent ? ` of ${escapeHtml(entry.parent)}` : ""}</td><td>${entry.candidate.faults.map((fault) => escapeHtml(fault.spec.kind)).join(" + ")}</td><td>${entry.fresh}</td><td>${entry.grams.length}</td></tr>`,
    )
    .join("\n");
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>zk-chaos explore, seed ${seed}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style></head><body>
<h1>zk-chaos explore, seed ${seed}</h1>
<p>${result.searchRuns} search run(s), ${result.runs} in all with shrinks and replays; coverage ${result.coverage} signature gram(s); corpus ${result.corpus}; ${result.findings.length} finding(s)${result.interrupted ? "; interrupted" : ""}.</p>
<h2>Coverage over runs</h2>${coverageSvg(result.coverageOverTime)}
<h2>Findings</h2>${result.findings.length === 0 ? "<p>None.</p>" : `<table><tr><th>id</th><th>anomalies</th><th>shrunk to</th><th>replays</th><th>documented bugs</th><th>files</th></tr>${findings}</table>`}
<h2>Corpus</h2><table><tr><th>entry</th><th>how</th><th>faults</th><th>new grams</th><th>grams</th></tr>${entries}</table>
${
  Object.keys(result.skippedKinds).length > 0
    ? `<h2>Left out of the vocabulary</h2><ul>${Object.entries(result.skippedKinds)
        .map(([kind, why]) => `<li>${escapeHtml(kind)}: ${escapeHtml(why)}</li>`)
        .join("")}</ul>`
    : ""
}
</body></html>\n`;
  const cases =
    result.findings.length === 0
      ? `  <testcase classname="explore" name="seed ${seed}: ${result.searchRuns} run(s), no anomaly"/>\n`
      : result.findings
          .map((finding) =>
            finding.outsideModel !== undefined
              ? `  <testcase classname="explore" name="${escapeXml(finding.id)}"><skipped message="${escapeXml(`outside ZooKeeper's fault model: ${finding.outsideModel}`)}"/></testcase>\n`
              : `  <testcase classname="explore" name="${escapeXml(finding.id)}"><failure message="${escapeXml(finding.key.join(", "))}">${escapeXml(`replays ${finding.rate.reproduced}/${finding.rate.of}; ${finding.jira.join(", ") || "no documented bug"}; ${join(finding.dir, "finding.md")}`)}</failure></testcase>\n`,
          )
          .join("");
  const junit = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="zk-chaos explore" tests="${Math.max(1, result.findings.length)}" failures="${countedFindings(result.findings).length}" skipped="${result.findings.length - countedFindings(result.findings).length}">\n${cases}</testsuite></testsuites>\n`;
  const htmlFile = join(dir, "report.html");
  const junitFile = join(dir, "junit.xml");
  writeFileSync(htmlFile, html);
  writeFileSync(junitFile, junit);
  return { html: htmlFile, junit: junitFile };
}
