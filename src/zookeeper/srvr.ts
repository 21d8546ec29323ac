import { connect } from "node:net";

/** The role a serving server reports. */
export type ServerMode = "leader" | "follower" | "observer" | "standalone";

/** What one server says about itself through `srvr`. */
export type ServerStatus =
  | {
      readonly state: "serving";
      readonly mode: ServerMode;
      /** Last zxid the server has seen: epoch << 32 | counter. */
      readonly zxid: bigint;
      /** The leader epoch, the high 32 bits of the zxid. */
      readonly epoch: number;
      readonly nodeCount: number;
      readonly connections: number;
      readonly version: string;
    }
  /** The server answers but is not serving requests (no quorum, or still syncing). */
  | { readonly state: "not-serving" }
  /** No answer: the process is down, paused, or cut off. */
  | { readonly state: "unreachable"; readonly reason: string };

const MODES: readonly ServerMode[] = ["leader", "follower", "observer", "standalone"];

/** Parses the text a server sends back for `srvr`. */
export function parseSrvr(text: string): ServerStatus {
  if (text.includes("not currently serving requests")) return { state: "not-serving" };
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) fields.set(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
  }
  const mode = fields.get("Mode") as ServerMode | undefined;
  const zxidText = fields.get("Zxid");
  if (mode === undefined || !MODES.includes(mode) || zxidText === undefined) {
    return {
      state: "unreachable",
      reason: `unexpected srvr answer: ${JSON.stringify(text.slice(0, 200))}`,
    };
  }
  const zxid = BigInt(zxidText);
  return {
    state: "serving",
    mode,
    zxid,
    epoch: Number(zxid >> 32n),
    nodeCount: Number(fields.get("Node count") ?? 0),
    connections: Number(fields.get("Connections") ?? 0),
    version: (fields.get("Zookeeper version") ?? "unknown").split(",")[0] ?? "unknown",
  };
}

/** Sends a four-letter word and returns the whole answer; rejects on error or timeout. */
export function fourLetterWord(
  host: string,
  port: number,
  word: string,
  timeoutMs = 1000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to '${word}' from ${host}:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("connect", () => socket.end(word));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** Asks one server for its status; never throws. */
export async function querySrvr(
  host: string,
  port: number,
  timeoutMs = 1000,
): Promise<ServerStatus> {
  try {
    return parseSrvr(await fourLetterWord(host, port, "srvr", timeoutMs));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { state: "unreachable", reason };
  }
}
