#!/usr/bin/env node
// The installed entry point: the CLI lives in the compiled library.
import { setFlagsFromString } from "node:v8";

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
