import { connect, type Socket } from "node:net";
import { ElectionHandshakeRewriter } from "../election-handshake.js";
import type { RuleBudgets } from "../wire/message-rule.js";
import { StreamCapture } from "../wire/stream-capture.js";
import { streamTap, type WireObserver, type WireStream, type WireTap } from "../wire/wire-tap.js";
import type { SharedLinks } from "./shared-link.js";
import { type LinkControl, type ToxicEntry, ToxicPipe } from "./toxic-pipe.js";

/** How a link reaches its upstream and what it knows of its proxy. */
export interface LinkOptions {
  readonly seed: string;
  readonly proxyName: string;
  readonly sequence: number;
  readonly upstream: { host: string; port: number };
  /** Keep retrying a refused upstream connect this long before dropping the client. */
  readonly upstreamRetryMs: number;
  readonly rewriteElection: boolean;
  /** Decode both streams as this protocol and report what they carry. */
  readonly decode?: {
    readonly protocol: string;
    readonly observe: WireObserver;
    readonly budgets: RuleBudgets;
    readonly captureDir?: string;
  };
  readonly toxics: () => readonly ToxicEntry[];
  /** The server's shared links (shared_link toxics). */
  readonly sharedLinks: SharedLinks;
  readonly onClose: (link: ProxyLink) => void;
}

const RETRY_STEP_MS = 25;

function dial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true, noDelay: true });
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** One proxied connection: the accepted client socket, its upstream socket, and a pipe each way. */
export class ProxyLink implements LinkControl {
  readonly seed: string;
  readonly proxyName: string;
  readonly sequence: number;
  private upstreamSocket: Socket | undefined;
  private pipes: ToxicPipe[] = [];
  private isClosed = false;
  private readonly captures: StreamCapture[] = [];
  readonly seenTypes = new Set<string>();

  constructor(
    private readonly client: Socket,
    private readonly options: LinkOptions,
  ) {
    this.seed = options.seed;
    this.proxyName = options.proxyName;
    this.sequence = options.sequence;
    client.setNoDelay(true);
    client.pause();
    client.on("error", () => this.destroy());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  toxics(): readonly ToxicEntry[] {
    return this.options.toxics();
  }

  get sharedLinks(): SharedLinks {
    return this.options.sharedLinks;
  }

  get budgets(): RuleBudgets | undefined {
    return this.options.decode?.budgets;
  }

  /** Connects upstream (retrying briefly while it is not listening yet) and starts both pipes. */
  async open(): Promise<void> {
    const { host, port } = this.options.upstream;
    const deadline = performance.now() + this.options.upstreamRetryMs;
    let upstream: Socket | undefined;
    for (let attempt = 0; attempt < 10_000 && !this.isClosed; attempt++) {
      try {
        upstream = await dial(host, port);
        break;
      } catch {
        if (performance.now() + RETRY_STEP_MS > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, RETRY_STEP_MS));
      }
    }
    if (upstream === undefined || this.isClosed) {
      upstream?.destroy();
      this.destroy();
      return;
    }
    this.upstreamSocket = upstream;
    upstream.on("error", () => this.destroy());
    const rewriter = this.options.rewriteElection ? new ElectionHandshakeRewriter() : undefined;
    const upTap = this.tap("upstream");
    const downTap = this.tap("downstream");
    // Decoders read what the server will receive: after the rewrite.
    const up = new ToxicPipe(this.client, upstream, "upstream", this, {
      ...(rewriter ? { rewrite: (data: Buffer) => rewriter.feed(data) } : {}),
      ...(upTap ? { tap: upTap } : {}),
    });
    const down = new ToxicPipe(upstream, this.client, "downstream", this, {
      ...(downTap ? { tap: downTap } : {}),
    });
    this.pipes = [up, down];
    this.client.resume();
    await Promise.all(this.pipes.map((pipe) => pipe.run()));
    this.close();
  }

  /** A decoder for one stream, when the proxy decodes. */
  private tap(stream: WireStream): WireTap | undefined {
    const decode = this.options.decode;
    if (decode === undefined) return undefined;
    const where = { proxy: this.proxyName, connection: this.sequence, stream };
    const decoder = streamTap(decode.protocol, where, decode.observe);
    if (decode.captureDir === undefined) return decoder;
    const capture = new StreamCapture(decode.captureDir, where);
    this.captures.push(capture);
    return {
      feed: (data: Buffer) => {
        capture.write(data);
        return decoder.feed(data);
      },
      get offset() {
        return decoder.offset;
      },
      get undecoded() {
        return decoder.undecoded;
      },
      report: (message, rule) => decoder.report(message, rule),
    };
  }

  /** Tells both pipes that the proxy's toxics changed. */
  syncToxics(): void {
    for (const pipe of this.pipes) pipe.syncToxics();
  }

  close(): void {
    if (this.isClosed) return;
    for (const socket of this.sockets()) {
      socket.end();
      // Give the FIN a moment to flush what was written, then let go for sure.
      setTimeout(() => socket.destroy(), 1000).unref();
    }
    this.finish();
  }

  reset(): void {
    if (this.isClosed) return;
    for (const socket of this.sockets()) socket.resetAndDestroy();
    this.finish();
  }

  /** Drops the connection at once (a disabled or deleted proxy). */
  destroy(): void {
    if (this.isClosed) return;
    for (const socket of this.sockets()) socket.destroy();
    this.finish();
  }

  private sockets(): Socket[] {
    return this.upstreamSocket ? [this.client, this.upstreamSocket] : [this.client];
  }

  private finish(): void {
    this.isClosed = true;
    for (const capture of this.captures) capture.close();
    for (const pipe of this.pipes) pipe.dispose();
    this.options.onClose(this);
  }
}
