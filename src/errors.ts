/**
 * Typed errors. Every error a user can cause or fix carries a stable code and
 * a message that names the thing at fault and what to do next.
 */

/** Error codes; the CLI maps them to exit codes. */
export type ZkChaosErrorCode =
  | "BAD_INPUT"
  | "JAVA_NOT_FOUND"
  | "ZOOKEEPER_NOT_FOUND"
  | "SERVER_START_FAILED"
  | "QUORUM_TIMEOUT"
  | "PORTS_EXHAUSTED"
  | "SERVER_STATE"
  | "INTERRUPTED";

/** Base class for errors raised by zk-chaos on purpose. */
export class ZkChaosError extends Error {
  readonly code: ZkChaosErrorCode;

  constructor(code: ZkChaosErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ZkChaosError";
    this.code = code;
  }
}

/** Bad input from a user: a flag, a file, a setting. */
export class BadInputError extends ZkChaosError {
  constructor(message: string) {
    super("BAD_INPUT", message);
    this.name = "BadInputError";
  }
}

/** True when the value is one of our typed errors. */
export function isZkChaosError(value: unknown): value is ZkChaosError {
  return value instanceof ZkChaosError;
}
