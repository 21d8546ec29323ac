import { Command } from "commander";
import { z } from "zod";
import { deploymentSchema } from "../deployment/deployment-schema.js";
import { BadInputError } from "../errors.js";
import { scenarioReferenceMarkdown } from "../scenario/scenario-reference.js";
import { scenarioJsonSchema } from "../scenario/schema.js";
import { type CliIo, ExitCode } from "./cli-io.js";

/** The `schema` command: the scenario file's JSON Schema (editors, CI linters) or its reference in Markdown. */
export function schemaCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("schema")
    .description(
      "print the JSON Schema of scenario files (editors: '# yaml-language-server: $schema=scenario.schema.json'); scenarios/scenario.schema.json ships with it",
    )
    .option("--markdown", "print the field reference in Markdown instead (docs/scenarios.md)")
    .option(
      "--deployment",
      "print the JSON Schema of deployment files (validate --deployment) instead; deployments/deployment.schema.json ships with it",
    )
    .action((options: { markdown?: boolean; deployment?: boolean }) =>
      setExit(
        (async () => {
          if (options.deployment) {
            if (options.markdown)
              throw new BadInputError(
                "--markdown is the scenario reference: drop it or --deployment",
              );
            io.out(
              `${JSON.stringify(z.toJSONSchema(deploymentSchema, { io: "input" }), null, 2)}\n`,
            );
            return ExitCode.ok;
          }
          io.out(
            options.markdown
              ? scenarioReferenceMarkdown()
              : `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`,
          );
          return ExitCode.ok;
        })(),
      ),
    );
}
