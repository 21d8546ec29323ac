/**
 * The deployment report as one self-contained page: the recommendation, each
 * state's plot of p99 write latency and of session expiries against the
 * agent count (a line per size and neighbour, the step that broke marked),
 * and the Markdown report's tables below.
 */
import { escapeHtml } from "../report/html-escape.js";
import { type XySeries, xyChartSvg } from "../report/xy-chart.js";
import type { Ramp } from "./capacity.js";
import { recommendation } from "./deployment-report.js";
import type { Deployment } from "./deployment-schema.js";

/** The series of one state: a line per size and neighbour. */
function seriesOf(
  ramps: readonly Ramp[],
  state: string,
  measure: (step: Ramp["steps"][number]) => number | undefined,
): XySeries[] {
  return ramps
    .filter((ramp) => ramp.state === state)
    .map((ramp) => ({
      name: `${ramp.nodes} servers${ramp.neighbour === "none" ? "" : `, beside ${ramp.neighbour}`}${ramp.network === "none" ? "" : `, ${ramp.network} network`}${ramp.supervisor === "none" ? "" : `, restarted after ${ramp.supervisor / 1000} s`}`,
      points: ramp.steps.flatMap((step) => {
        const value = measure(step);
        return value === undefined
          ? []
          : [{ x: step.agents, y: value, marked: ramp.outcome.brokeAt?.agents === step.agents }];
      }),
    }));
}

/** index.html of a deployment validation; `tables` is the Markdown report's HTML-escaped text. */
export function deploymentHtml(
  deployment: Deployment,
  ramps: readonly Ramp[],
  markdown: string,
): string {
  const charts = deployment.states
    .map((state) =>
      [
        xyChartSvg({
          title: `${state}: p99 write latency`,
          xLabel: "agents",
          yLabel: "ms",
          series: seriesOf(ramps, state, (step) => step.p99WriteMs),
          limit: { y: deployment.serviceLevel.p99WriteMs, label: "service level" },
        }),
        xyChartSvg({
          title: `${state}: sessions expired`,
          xLabel: "agents",
          yLabel: "sessions",
          series: seriesOf(ramps, state, (step) => step.sessionExpiries),
          limit: { y: deployment.serviceLevel.sessionExpiries, label: "allowed" },
        }),
      ].join("\n"),
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>zk-chaos deployment ${escapeHtml(deployment.name)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:75em}svg{margin:.5em 1em .5em 0}pre{white-space:pre-wrap;background:#f6f8fa;padding:1em}</style></head><body>
<h1>Deployment ${escapeHtml(deployment.name)}</h1>
<p>${escapeHtml(deployment.description)}</p>
<p><strong>${escapeHtml(recommendation(deployment, ramps))}</strong></p>
<h2>Against the agent count</h2>
${charts}
<h2>Capacities, rules and every step</h2>
<pre>${escapeHtml(markdown)}</pre>
</body></html>
`;
}
