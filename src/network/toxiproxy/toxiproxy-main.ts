/**
 * The built-in Toxiproxy-compatible server as a standalone program that
 * speaks the official toxiproxy-server's flags (-host, -port, -seed, Go
 * style: -name=value or -name value), so an image of it is a drop-in for
 * ghcr.io/shopify/toxiproxy. It imports nothing outside this package's own
 * files, so the image needs only node and dist/.
 */
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
    const unknown = [...flags.keys()].filter((name) => !["host", "port", "seed"].includes(name));
    if (unknown.length > 0)
      throw new Error(`unknown flag -${unknown[0]} (known: -host, -port, -seed)`);
  } catch (error) {
    process.stderr.write(`toxiproxy: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const host = flags.get("host") ?? "localhost";
  const port = Number(flags.get("port") ?? "8474");
  const server = await startToxiproxyServer({ host, port, seed: flags.get("seed") ?? "0" });
  process.stdout.write(
    `${JSON.stringify({ level: "info", host, port: String(port), message: "Starting Toxiproxy HTTP server" })}\n`,
  );
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

if (process.argv[1]?.endsWith("toxiproxy-main.js")) void main();
