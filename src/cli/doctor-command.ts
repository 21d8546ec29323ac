import { Command, InvalidArgumentError } from "commander";
import { canRunLocally, doctorReport, runDoctor } from "../doctor/doctor.js";
import { DOCTOR_CHECKS } from "../doctor/doctor-checks.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { paint, type Style } from "./colour.js";
import { jsonDocument } from "./json-output.js";

const STATUS_STYLE: Readonly<Record<string, Style>> = {
  ok: "green",
  missing: "red",
  warn: "yellow",
};

function parseCheckNames(text: string): string[] {
  const names = text.split(",").map((name) => name.trim());
  const unknown = names.filter((name) => !Object.hasOwn(DOCTOR_CHECKS, name));
  if (unknown.length > 0)
    throw new InvalidArgumentError(
      `unknown check(s) ${unknown.join(", ")}: the checks are ${Object.keys(DOCTOR_CHECKS).join(", ")}`,
    );
  return names;
}

/** The `doctor` command: what this machine has for zk-chaos, and how to get what it lacks. */
export function doctorCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("doctor")
    .description(
      "check what this machine has for zk-chaos (Node, Java, ZooKeeper, Maven, Docker, root, cgroups, FUSE, sshd, ports) and print the fix for each missing part (exit 0 when a local run can start, 2 otherwise)",
    )
    .option(
      "--only <checks>",
      `run only these checks (${Object.keys(DOCTOR_CHECKS).join(", ")})`,
      parseCheckNames,
    )
    .option("--json", "print one JSON document: every check with its status, detail and fixes")
    .action((options: { only?: string[]; json?: boolean }) =>
      setExit(
        (async () => {
          const results = await runDoctor(process.env, options.only);
          io.out(
            options.json
              ? jsonDocument({ canRunLocally: canRunLocally(results), checks: results })
              : doctorReport(results, (status, text) =>
                  paint(io, STATUS_STYLE[status] ?? "yellow", text),
                ),
          );
          return canRunLocally(results) ? ExitCode.ok : ExitCode.badInput;
        })(),
      ),
    );
}
