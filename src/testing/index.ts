/**
 * Test fixtures for checkers: synthetic histories with anomalies injected on
 * purpose. A subpath export (zk-chaos/testing), kept out of the main index.
 */

// Types the exported functions and classes take and return (their option types above all),
// so that a caller can name them and the API reference (TypeDoc) covers them.
export type { SyntheticHistory, SyntheticOptions } from "./synthetic-history.js";
export {
  INJECTABLE,
  type InjectedAnomaly,
  syntheticHistory,
  withRecovery,
} from "./synthetic-history.js";
export type { SyntheticWatchOptions } from "./synthetic-watch-history.js";
export { syntheticWatchHistory } from "./synthetic-watch-history.js";
