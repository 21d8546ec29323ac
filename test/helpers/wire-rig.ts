/** A built-in proxy server in front of a TCP echo, fresh for each test, with what it decoded. */
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import {
  startToxiproxyServer,
  type ToxiproxyServer,
} from "../../src/network/toxiproxy/toxiproxy-server.js";
import type { WireObservation } from "../../src/network/wire/wire-tap.js";
import { startEchoServer } from "./tcp.js";

/** The rig of the current test. */
export interface WireRig {
  readonly server: ToxiproxyServer;
  readonly echoPort: number;
  /** Every observation of the decoding proxies, in order. */
  readonly seen: WireObservation[];
}

/** Starts the rig before each test of the file and stops it after; read it inside tests. */
export function useWireRig(): () => WireRig {
  let rig: (WireRig & { close(): Promise<void> }) | undefined;
  beforeEach(async () => {
    const echo = await startEchoServer();
    const server = await startToxiproxyServer({ port: 0, seed: 27 });
    const seen: WireObservation[] = [];
    server.onWire((observation) => seen.push(observation));
    rig = {
      server,
      echoPort: echo.port,
      seen,
      close: async () => {
        await server.close();
        await echo.close();
      },
    };
  });
  afterEach(async () => {
    await rig?.close();
    rig = undefined;
  });
  return () => {
    if (rig === undefined) throw new Error("the wire rig runs inside tests only");
    return rig;
  };
}

/** The path of a captured wire stream under test/fixtures/wire/<release>/. */
export function wireFixture(release: string, name: string): string {
  return join(import.meta.dirname, "..", "fixtures", "wire", release, name);
}
