#!/usr/bin/env node
// The installed entry point: the CLI lives in the compiled library.
import { setFlagsFromString } from "node:v8";

// Node 20 reached its end of life; testcontainers and vitest ask for 22. Say so
// at once rather than fail somewhere deep in a run.
const major = Number(process.versions.node.split(".")[0]);
if (major < 22) {
  process.stderr.write(
    `zk-chaos: error: Node.js ${process.version} is older than 22, which zk-chaos needs: install Node.js 22 or 24 LTS (in a clone, scripts/setup.sh fetches Node 24 from the npm registry into .node/)\n`,
  );
  process.exit(2);
}

// A larger young generation before anything is allocated: checking a million
// operations makes millions of short-lived objects, and scavenges at V8's
// default size cost a second or more of it.
setFlagsFromString("--max-semi-space-size=32");

// A reader that stops early (`zk-chaos --help | head`) is no error: what is left
// unread is dropped, and the command goes on to its end (and its clean-up).
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
  });

const { main } = await import("../dist/src/cli/main.js");
process.exitCode = await main(process.argv.slice(2));
// Whatever a command leaves open (a leak) cannot keep the shell waiting for ever.
const { guardExit } = await import("../dist/src/cli/exit-guard.js");
guardExit(5000);
