/**
 * Test fixtures for checkers: synthetic histories with anomalies injected on
 * purpose. A subpath export (zk-chaos/testing), kept out of the main index.
 */
export {
  INJECTABLE,
  type InjectedAnomaly,
  syntheticHistory,
  withRecovery,
} from "./synthetic-history.js";
export { syntheticWatchHistory } from "./synthetic-watch-history.js";
