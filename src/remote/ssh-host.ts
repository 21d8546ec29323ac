import { readFileSync } from "node:fs";
import type { Client } from "ssh2";
import { BadInputError, ZkChaosError } from "../errors.js";
import type { InventoryHost } from "./inventory.js";

/** What a remote command did. */
export interface RemoteResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The output's bytes as they came (binary files). */
  readonly stdoutBytes: Buffer;
}

/** A command running on a host for as long as it is wanted. */
export interface RemoteStream {
  /** Ends it (its process group is killed, the terminal hangs up) and waits until it has ended. */
  stop(): Promise<void>;
  /** Resolves when it has ended, by itself or stopped. */
  readonly closed: Promise<void>;
}

/**
 * One SSH connection to a host (ssh2, no `ssh` binary), on which the
 * provider runs commands. Command strings reach the host's shell, so every
 * value in them is quoted (shellQuote) by the caller.
 */
export class SshHost {
  private closed = false;

  private constructor(
    readonly host: InventoryHost,
    private readonly client: Client,
  ) {}

  /** Connects and logs in with the host's key; names the host and the fix when it cannot. */
  static async connect(host: InventoryHost, timeoutMs = 10_000): Promise<SshHost> {
    // ssh2 loads on first use: most commands never open a connection.
    const { Client } = await import("ssh2");
    let privateKey: Buffer;
    try {
      privateKey = readFileSync(host.key);
    } catch (error) {
      return Promise.reject(
        new BadInputError(
          `${host.user}@${host.address}: cannot read its key ${host.key} (${(error as Error).message}): fix 'key' in the inventory`,
        ),
      );
    }
    const client = new Client();
    return new Promise((resolve, reject) => {
      client.once("ready", () => resolve(new SshHost(host, client)));
      client.once("error", (error) => {
        client.end();
        reject(
          new BadInputError(
            `${host.user}@${host.address}:${host.port}: SSH failed (${error.message}): is sshd running there, and is ${host.key} authorized for ${host.user}?`,
          ),
        );
      });
      client.connect({
        host: host.address,
        port: host.port,
        username: host.user,
        privateKey,
        readyTimeout: timeoutMs,
        keepaliveInterval: 5000,
      });
    });
  }

  /** A short name for messages. */
  get name(): string {
    return `${this.host.user}@${this.host.address}`;
  }

  /** Runs a command (its values already quoted), feeding `input` to it; never throws on a non-zero exit. */
  exec(command: string, input?: string | Buffer, timeoutMs = 60_000): Promise<RemoteResult> {
    if (this.closed)
      return Promise.reject(new ZkChaosError("SERVER_STATE", `${this.name}: connection closed`));
    return new Promise((resolve, reject) => {
      this.client.exec(command, (error, channel) => {
        if (error)
          return reject(new ZkChaosError("SERVER_STATE", `${this.name}: ${error.message}`));
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        const timer = setTimeout(() => {
          channel.close();
          reject(
            new ZkChaosError("SERVER_STATE", `${this.name}: '${command}' ran over ${timeoutMs} ms`),
          );
        }, timeoutMs);
        channel.on("data", (chunk: Buffer) => stdout.push(chunk));
        channel.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
        channel.on("close", (code: number | null) => {
          clearTimeout(timer);
          const bytes = Buffer.concat(stdout);
          resolve({
            code,
            stdout: bytes.toString("utf8"),
            stderr: Buffer.concat(stderr).toString("utf8"),
            stdoutBytes: bytes,
          });
        });
        channel.end(input);
      });
    });
  }

  /** Runs a command and returns its output; throws with its error output when it fails. */
  async run(command: string, what: string, input?: string | Buffer): Promise<string> {
    const result = await this.exec(command, input);
    if (result.code !== 0)
      throw new ZkChaosError(
        "SERVER_STATE",
        `${this.name}: ${what} failed (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim()}`,
      );
    return result.stdout;
  }

  /**
   * Runs a long command (its values already quoted) on a pseudo-terminal and
   * hands its output to `onData` as it comes, until stopped. The terminal is
   * why it cannot outlive us: when the channel closes, or this connection
   * drops because we died, sshd hangs the terminal up and the command ends.
   */
  stream(command: string, onData: (chunk: string) => void): Promise<RemoteStream> {
    if (this.closed)
      return Promise.reject(new ZkChaosError("SERVER_STATE", `${this.name}: connection closed`));
    return new Promise((resolve, reject) => {
      // No echo, no CR before LF: the output arrives as the command wrote it.
      const modes = { ECHO: 0, ONLCR: 0 } as const;
      // The shell says its pid (the session's, which the command keeps by exec) before it runs.
      this.client.exec(`echo $$; ${command}`, { pty: { modes } }, (error, channel) => {
        if (error)
          return reject(new ZkChaosError("SERVER_STATE", `${this.name}: ${error.message}`));
        let pid: number | undefined;
        let head = "";
        channel.setEncoding("utf8");
        channel.on("data", (chunk: string) => {
          if (pid !== undefined) return onData(chunk);
          head += chunk;
          const end = head.indexOf("\n");
          if (end < 0) return;
          pid = Number(head.slice(0, end).trim());
          if (head.length > end + 1) onData(head.slice(end + 1));
        });
        channel.stderr.resume();
        let ended = false;
        const closed = new Promise<void>((done) =>
          channel.once("close", () => {
            ended = true;
            done();
          }),
        );
        const stop = async (): Promise<void> => {
          // Its whole process group, at once: nothing of it may linger after we are done.
          // (Once ended, its pid may belong to someone else: then nothing is sent.)
          if (!ended && pid !== undefined && Number.isInteger(pid) && pid > 1)
            await this.exec(`kill -TERM -- -${pid} 2>/dev/null; true`).catch(() => undefined);
          channel.close();
          await Promise.race([closed, new Promise((done) => setTimeout(done, 2000).unref())]);
        };
        resolve({ stop, closed });
      });
    });
  }

  /** Closes the connection; safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.client.end();
  }
}
