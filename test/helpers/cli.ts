import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The installed CLI entry point (runs the compiled library: `npm test` builds it first). */
export const CLI = fileURLToPath(new URL("../../bin/zk-chaos.js", import.meta.url));

/** A running CLI process with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves once the output matches, or rejects after the timeout. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  readonly exited: Promise<number | string>;
}

/** Spawns the CLI with the given arguments and extra environment (and text for its standard input). */
export function spawnCli(
  args: readonly string[],
  env: Record<string, string> = {},
  stdin?: string,
): CliProcess {
  return spawnNodeScript(CLI, args, env, stdin);
}

/** Spawns a compiled node script with the given arguments and extra environment, collecting its output. */
export function spawnNodeScript(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
  stdin?: string,
): CliProcess {
  return spawnCommand(process.execPath, [script, ...args], env, stdin);
}

/** Spawns any program (no shell) with the given arguments, extra environment and folder, collecting its output. */
export function spawnCommand(
  program: string,
  args: readonly string[],
  env: Record<string, string> = {},
  stdin?: string,
  cwd?: string,
): CliProcess {
  const child = spawn(program, args, {
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
    stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (stdin !== undefined) child.stdin?.end(stdin);
  let text = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return {
    child,
    output: () => text,
    exited,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(text)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern} in CLI output:\n${text}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exited.then(() => {
          if (!pattern.test(text)) {
            cleanup();
            reject(new Error(`CLI exited before printing ${pattern}:\n${text}`));
          }
        });
        check();
      });
    },
  };
}
