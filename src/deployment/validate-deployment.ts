/**
 * `validate --deployment`: measures a deployment file's capacity ramps and
 * writes the report (index.md, deployment.json) with the run folders behind
 * every number.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProviderChoice } from "../providers/registry.js";
import { appendStepSummary } from "../report/write-reports.js";
import { measureCapacity, type Ramp } from "./capacity.js";
import { deploymentHtml } from "./deployment-html.js";
import {
  deploymentMarkdown,
  judgeRules,
  type RuleVerdict,
  recommendation,
} from "./deployment-report.js";
import type { Deployment } from "./deployment-schema.js";

/** What validating a deployment found. */
export interface DeploymentValidation {
  readonly name: string;
  readonly dir: string;
  readonly ramps: readonly Ramp[];
  readonly rules: readonly RuleVerdict[];
  readonly recommendation: string;
  /** True when a step's consistency checkers found an anomaly (a finding beside the capacities). */
  readonly anomalies: boolean;
  readonly interrupted: boolean;
}

/** Options of validateDeployment. */
export interface DeploymentValidationOptions {
  readonly out: string;
  readonly seed: number;
  readonly provider?: ProviderChoice;
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** Measures every ramp of the deployment and writes its report. */
export async function validateDeployment(
  deployment: Deployment,
  options: DeploymentValidationOptions,
): Promise<DeploymentValidation> {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  const dir = join(options.out, `${stamp}-deployment-${deployment.name}`);
  mkdirSync(dir, { recursive: true });
  const ramps = await measureCapacity(deployment, { ...options, out: dir });
  const validation: DeploymentValidation = {
    name: deployment.name,
    dir,
    ramps,
    rules: judgeRules(deployment, ramps),
    recommendation: recommendation(deployment, ramps),
    anomalies: ramps.some((ramp) => ramp.steps.some((step) => !step.consistent)),
    interrupted: options.signal?.aborted === true,
  };
  writeFileSync(
    join(dir, "deployment.json"),
    `${JSON.stringify({ deployment, seed: options.seed, ...validation }, null, 2)}\n`,
  );
  const markdown = deploymentMarkdown(deployment, ramps, dir);
  writeFileSync(join(dir, "index.md"), markdown);
  writeFileSync(join(dir, "index.html"), deploymentHtml(deployment, ramps, markdown));
  appendStepSummary(markdown);
  return validation;
}
