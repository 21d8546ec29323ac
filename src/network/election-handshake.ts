/**
 * ZooKeeper's leader-election handshake, and the rewrite that keeps election
 * traffic inside the proxies.
 *
 * When server i connects to a server j with a higher id, j drops the
 * connection and dials back to the election address i advertised in its first
 * message: i's own address, not the proxy for j->i. Rewriting the advertised
 * host to the wildcard 0.0.0.0 makes j fall back to its own config, which
 * names i through the proxy. The message is:
 *   long protocolVersion (-65536 or -65535), long sid, int length, "host:port[|host:port...]"
 */

const PROTOCOL_VERSIONS = new Set([-65536n, -65535n]);
const HEADER = 8 + 8 + 4;
const MAX_ADDRESS_BYTES = 4096;

/** What rewriting the start of a stream gave. */
export type HandshakeRewrite =
  | { readonly kind: "incomplete" }
  | { readonly kind: "not-handshake" }
  | { readonly kind: "rewritten"; readonly output: Buffer; readonly consumed: number };

/** Replaces the host of every "host:port" with 0.0.0.0. */
export function wildcardHosts(addresses: string): string {
  return addresses
    .split("|")
    .map((address) => `0.0.0.0:${address.slice(address.lastIndexOf(":") + 1)}`)
    .join("|");
}

/** Rewrites the handshake at the start of `data` if it is complete. Pure. */
export function rewriteElectionHandshake(data: Buffer): HandshakeRewrite {
  if (data.length < 8) return { kind: "incomplete" };
  const version = data.readBigInt64BE(0);
  if (!PROTOCOL_VERSIONS.has(version)) return { kind: "not-handshake" };
  if (data.length < HEADER) return { kind: "incomplete" };
  const length = data.readInt32BE(16);
  if (length < 0 || length > MAX_ADDRESS_BYTES) return { kind: "not-handshake" };
  if (data.length < HEADER + length) return { kind: "incomplete" };
  const address = Buffer.from(
    wildcardHosts(data.subarray(HEADER, HEADER + length).toString("utf8")),
  );
  const output = Buffer.alloc(HEADER + address.length);
  data.copy(output, 0, 0, 16);
  output.writeInt32BE(address.length, 16);
  address.copy(output, HEADER);
  return { kind: "rewritten", output, consumed: HEADER + length };
}

/** Feeds a stream through the rewrite: holds bytes until the handshake is whole, then passes all. */
export class ElectionHandshakeRewriter {
  private pending: Buffer | undefined = Buffer.alloc(0);

  /** Returns what may be forwarded now (possibly nothing). */
  feed(data: Buffer): Buffer {
    if (this.pending === undefined) return data;
    const buffered = Buffer.concat([this.pending, data]);
    const result = rewriteElectionHandshake(buffered);
    if (result.kind === "incomplete") {
      this.pending = buffered;
      return Buffer.alloc(0);
    }
    this.pending = undefined;
    if (result.kind === "not-handshake") return buffered;
    return Buffer.concat([result.output, buffered.subarray(result.consumed)]);
  }
}
