#!/usr/bin/env node
// The installed entry point: the CLI lives in the compiled library.
import { setFlagsFromString } from "node:v8";

// A larger young generation before anything is allocated: checking a million
// operations makes millions of short-lived objects, and scavenges at V8's
// default size cost a second or more of it.
setFlagsFromString("--max-semi-space-size=32");

const { main } = await import("../dist/src/cli/main.js");
process.exitCode = await main(process.argv.slice(2));
