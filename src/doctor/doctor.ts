import { type CheckOutcome, DOCTOR_CHECKS, type Fix } from "./doctor-checks.js";

/** One check's result, with what it is for and how to fix it. */
export interface DoctorResult extends CheckOutcome {
  readonly name: string;
  readonly enables: string;
  readonly required: boolean;
  readonly fix: Fix;
}

/** Runs every check (or the named ones) against this machine. */
export async function runDoctor(
  env: NodeJS.ProcessEnv = process.env,
  only?: readonly string[],
): Promise<DoctorResult[]> {
  const names = only ?? Object.keys(DOCTOR_CHECKS);
  const results: DoctorResult[] = [];
  for (const name of names) {
    const check = DOCTOR_CHECKS[name];
    if (check === undefined) continue;
    const outcome = await check.run(env);
    results.push({
      name,
      enables: check.enables,
      required: check.required,
      fix: check.fix,
      ...outcome,
    });
  }
  return results;
}

/** Whether a local run can start: every required part is there (a warning does not stop it). */
export function canRunLocally(results: readonly DoctorResult[]): boolean {
  return results.every((result) => !result.required || result.status !== "missing");
}

/**
 * The doctor's report: a line per check, then the fixes of what is missing,
 * for each kind of machine. `style` colours a status (the CLI's, on a terminal).
 */
export function doctorReport(
  results: readonly DoctorResult[],
  style: (status: DoctorResult["status"], text: string) => string = (_, text) => text,
): string {
  const width = Math.max(...results.map((result) => result.name.length));
  const lines = results.map(
    (result) =>
      `${style(result.status, result.status.padEnd(8))} ${result.name.padEnd(width)}  ${result.detail}${result.status === "ok" ? "" : `\n${" ".repeat(11 + width)}needed for ${result.enables}`}`,
  );
  const broken = results.filter((result) => result.status !== "ok");
  const fixes = broken.flatMap((result) => [
    `${result.name}${result.required ? " (required)" : ""}:`,
    `  Debian/Ubuntu: ${result.fix.debian}`,
    `  Fedora/RHEL:   ${result.fix.fedora}`,
    `  without root:  ${result.fix.noRoot}`,
  ]);
  const verdict = canRunLocally(results)
    ? "a local run can start: `zk-chaos run` on local JVMs works here"
    : "a local run cannot start: fix the required parts above";
  return [
    ...lines,
    "",
    ...(fixes.length > 0 ? ["how to fix:", ...fixes, ""] : []),
    verdict,
    "",
  ].join("\n");
}
