/**
 * The built-in Toxiproxy-compatible server as a standalone program that
 * speaks the official toxiproxy-server's flags (-host, -port, -seed, -config;
 * Go style: -name=value or -name value), so an image of it is a drop-in for
 * ghcr.io/shopify/toxiproxy. It imports nothing outside this package's own
 * files, so the image needs only node and dist/.
 */
import { readFileSync } from "node:fs";
import { startToxiproxyServer } from "./toxiproxy-server.js";

/** Parses Go-style flags: -name=value, -name value, --name=value. */
export function parseGoFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const match = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/.exec(argv[i] as string);
    if (match === null) throw new Error(`unexpected argument '${argv[i]}'`);
    const name = match[1] as string;
    const value = match[2] ?? argv[++i];
    if (value === undefined) throw new Error(`flag -${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

async function main(): Promise<void> {
  let flags: Map<string, string>;
  try {
    flags = parseGoFlags(process.argv.slice(2));
    const known = ["host", "port", "seed", "config"];
    const unknown = [...flags.keys()].filter((name) => !known.includes(name));
    if (unknown.length > 0)
      throw new Error(`unknown flag -${unknown[0]} (known: -${known.join(", -")})`);
  } catch (error) {
    process.stderr.write(`toxiproxy: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const host = flags.get("host") ?? "localhost";
  const port = Number(flags.get("port") ?? "8474");
  const server = await startToxiproxyServer({ host, port, seed: flags.get("seed") ?? "0" });
  const config = flags.get("config");
  if (config !== undefined) {
    // Like the official server: the file is a JSON list of proxies, created at start.
    let problem: string | undefined;
    try {
      const response = await fetch(`${server.url}/populate`, {
        method: "POST",
        body: readFileSync(config, "utf8"),
      });
      if (!response.ok) problem = await response.text();
    } catch (error) {
      problem = (error as Error).message;
    }
    if (problem !== undefined) {
      process.stderr.write(`toxiproxy: -config ${config}: ${problem}\n`);
      await server.close();
      process.exit(2);
    }
  }
  process.stdout.write(
    `${JSON.stringify({ level: "info", host, port: new URL(server.url).port, message: "Starting Toxiproxy HTTP server" })}\n`,
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1]?.endsWith("toxiproxy-main.js")) void main();
