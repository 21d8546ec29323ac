import { Command } from "commander";
import {
  startToxiproxyServer,
  TOXIPROXY_API_VERSION,
} from "../network/toxiproxy/toxiproxy-server.js";
import { ownSignals } from "../util/shutdown.js";
import type { CliIo } from "./cli-io.js";
import { parsePort, parsePositiveInt } from "./parse-options.js";

/** Options of `zk-chaos toxiproxy`. */
interface ToxiproxyOptions {
  readonly host: string;
  readonly port: number;
  readonly seed: string;
  readonly upstreamRetry: number;
}

/** Runs the built-in Toxiproxy-compatible server until a signal stops it. */
async function serve(options: ToxiproxyOptions, io: CliIo): Promise<number> {
  const server = await startToxiproxyServer({
    host: options.host,
    port: options.port,
    seed: options.seed,
    upstreamRetryMs: options.upstreamRetry,
  });
  if (!options.host.startsWith("127.") && options.host !== "localhost" && options.host !== "::1") {
    io.err(
      `zk-chaos: warning: the API listens on ${options.host}, beyond loopback: anyone who reaches it controls the proxies\n`,
    );
  }
  io.out(
    `Toxiproxy API (compatible with Toxiproxy ${TOXIPROXY_API_VERSION}) listening on ${server.url} (seed ${options.seed}); Ctrl-C stops it\n`,
  );
  const signal = await new Promise<string>((resolve) => {
    const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
    const releaseSignals = ownSignals();
    const stop = (received: NodeJS.Signals) => {
      for (const name of signals) process.off(name, stop);
      releaseSignals();
      resolve(received);
    };
    for (const name of signals) process.on(name, stop);
  });
  await server.close();
  io.out(`${signal} received: stopped, every proxy closed\n`);
  return 0;
}

/** The `toxiproxy` command: the built-in server, standalone. */
export function toxiproxyCommand(io: CliIo, setExit: (code: Promise<number>) => void): Command {
  return new Command("toxiproxy")
    .description("run the built-in Toxiproxy-compatible server (HTTP API, proxies, toxics)")
    .option("--host <host>", "address the API listens on", "127.0.0.1")
    .option("--port <port>", "API port (0 picks a free one)", parsePort, 8474)
    .option("--seed <seed>", "seed for toxicity and jitter draws, so degradations replay", "0")
    .option(
      "--upstream-retry <ms>",
      "retry a refused upstream connect this long before dropping the client",
      parsePositiveInt,
      1500,
    )
    .action((options: ToxiproxyOptions) => setExit(serve(options, io)));
}
