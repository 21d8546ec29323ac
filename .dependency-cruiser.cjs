/**
 * Import rules of zk-chaos (DESIGN.md, "One door per concept"). Checked by
 * test/unit/architecture.test.ts on every `npm test`; `npx depcruise src`
 * runs them by hand.
 */
const RUNNING =
  "^src/(ensemble|network|workload|runner|faults|scenario|cli|docker|providers|remote)/|^src/zookeeper/(install|release-cache)\\.ts$";

/** A rule that forbids imports from `from` to `to`, with why. */
const forbid = (name, comment, from, to) => ({ name, comment, severity: "error", from, to });

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid(
      "checkers-read-only-the-history",
      "Checkers are pure functions of the history: they may use the history, their own models and pure domain modules (quorum, topology, version ranges), never running code.",
      { path: "^src/checkers/" },
      { path: `${RUNNING}|^src/(report|results)/` },
    ),
    forbid(
      "history-below-checkers",
      "The history is the contract both sides stand on: it depends on nothing above it.",
      { path: "^src/history/" },
      { path: `${RUNNING}|^src/(checkers|report|results|quorum|topology)/` },
    ),
    forbid(
      "domain-modules-are-pure",
      "Quorum math, the topology invariants and version ranges are pure data and functions, below everything that uses them.",
      { path: "^src/(quorum|topology)/|^src/zookeeper/version-range\\.ts$" },
      { path: `${RUNNING}|^src/(checkers|history|report|results)/` },
    ),
    forbid(
      "reports-read-the-results-document",
      "Reports render the results document; the runner produces it. Reports never import the runner.",
      { path: "^src/(report|results)/" },
      { path: "^src/(runner|cli|providers)/" },
    ),
    forbid(
      "the-store-reads-run-folders",
      "The store indexes, serves and trends run folders the runner wrote; it never imports running code.",
      { path: "^src/store/" },
      { path: RUNNING },
    ),
    forbid(
      "providers-only-through-the-registry",
      "A provider's folder (ensemble/<name>/) is named only by ensemble/ itself, its registry entry (providers/) and the public index; everything else picks a provider from PROVIDERS and talks to the Ensemble interface.",
      { path: "^src/", pathNot: "^src/(ensemble|providers)/|^src/index\\.ts$" },
      { path: "^src/ensemble/[^/]+/" },
    ),
    forbid(
      "provider-entries-behind-the-registry",
      "Registry entries are reached through providers/registry.ts (and the chooser), never one by one.",
      { path: "^src/", pathNot: "^src/providers/" },
      { path: "^src/providers/", pathNot: "^src/providers/(registry|choose|provider)\\.ts$" },
    ),
    forbid(
      "ensemble-never-imports-network",
      "Servers sit below the fault network: the runner (through the registry) builds the network and hands it in.",
      { path: "^src/ensemble/" },
      { path: "^src/(network|providers|faults|workload|runner|scenario|cli)/" },
    ),
    forbid(
      "remote-hosts-below-their-users",
      "SSH hosts and inventories serve the ssh provider and the kernel network alike: they import neither.",
      { path: "^src/remote/" },
      { path: "^src/(ensemble|network|providers|faults|workload|runner|scenario|cli)/" },
    ),
    forbid(
      "test-fixtures-stay-out-of-the-library",
      "Synthetic histories are for tests and benchmarks (the zk-chaos/testing subpath), never for running code.",
      { path: "^src/", pathNot: "^src/testing/" },
      { path: "^src/testing/" },
    ),
    {
      name: "no-cycles",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
