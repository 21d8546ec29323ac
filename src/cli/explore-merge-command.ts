import { Command } from "commander";
import { mergeExplorations } from "../explore/merge.js";
import { type CliIo, ExitCode } from "./cli-io.js";
import { jsonDocument } from "./json-output.js";

/** The `explore merge` command: joins the corpora and findings of several campaigns (shards, nights). */
export function exploreMergeCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("merge")
    .description(
      "join the corpora and findings of explore campaigns (e.g. one per CI shard): every corpus entry once, one finding per anomaly (the best shrunk), the others named beside it",
    )
    .argument("<folder...>", "the --out folders of the campaigns")
    .requiredOption(
      "--into <folder>",
      "where the merged corpus/ and findings/ go (made if missing)",
    )
    .option("--json", "print one JSON document on stdout")
    .action((folders: string[], options: { into: string; json?: boolean }) =>
      setExit(
        (async () => {
          const merged = mergeExplorations(folders, options.into);
          if (options.json) {
            io.out(jsonDocument(merged));
            return ExitCode.ok;
          }
          io.out(
            `explore merge: ${folders.length} campaign(s) -> ${options.into}: corpus ${merged.corpus} entries (coverage ${merged.coverage} grams), ${merged.findings.length} finding(s)\n`,
          );
          for (const { kept, alike } of merged.findings)
            io.out(
              `  ${kept.id}: ${kept.key.join(", ")}; replays ${kept.rate.reproduced}/${kept.rate.of}, ${kept.faults} fault(s)${alike.length > 0 ? `; also found as ${alike.join(", ")}` : ""}\n`,
            );
          for (const dir of merged.unread)
            io.out(`  ${dir}: no finding.json (an older campaign): copied as it is\n`);
          return ExitCode.ok;
        })(),
      ),
    );
}
