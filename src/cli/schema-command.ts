import { Command } from "commander";
import { scenarioJsonSchema } from "../scenario/schema.js";
import { type CliIo, ExitCode } from "./cli-io.js";

/** The `schema` command: the scenario file's JSON Schema, for editors and CI linters. */
export function schemaCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("schema")
    .description(
      "print the JSON Schema of scenario files (editors: '# yaml-language-server: $schema=scenario.schema.json'); scenarios/scenario.schema.json ships with it",
    )
    .action(() =>
      setExit(
        (async () => {
          io.out(`${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
          return ExitCode.ok;
        })(),
      ),
    );
}
