/**
 * Import rules of zk-chaos (DESIGN.md, "One door per concept"). Checked by
 * test/unit/architecture.test.ts on every `npm test`; `npx depcruise src`
 * runs them by hand.
 */
const RUNNING =
  "^src/(ensemble|network|workload|runner|faults|scenario|cli|docker|providers|remote)/|^src/zookeeper/(install|release-cache)\\.ts$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "checkers-read-only-the-history",
      comment:
        "Checkers are pure functions of the history: they may use the history, their own models and pure domain modules (quorum, topology, version ranges), never running code.",
      severity: "error",
      from: { path: "^src/checkers/" },
      to: { path: `${RUNNING}|^src/(report|results)/` },
    },
    {
      name: "history-below-checkers",
      comment: "The history is the contract both sides stand on: it depends on nothing above it.",
      severity: "error",
      from: { path: "^src/history/" },
      to: { path: `${RUNNING}|^src/(checkers|report|results|quorum|topology)/` },
    },
    {
      name: "domain-modules-are-pure",
      comment:
        "Quorum math, the topology invariants and version ranges are pure data and functions, below everything that uses them.",
      severity: "error",
      from: { path: "^src/(quorum|topology)/|^src/zookeeper/version-range\\.ts$" },
      to: { path: `${RUNNING}|^src/(checkers|history|report|results)/` },
    },
    {
      name: "reports-read-the-results-document",
      comment:
        "Reports render the results document; the runner produces it. Reports never import the runner.",
      severity: "error",
      from: { path: "^src/(report|results)/" },
      to: { path: "^src/(runner|cli|providers)/" },
    },
    {
      name: "providers-only-through-the-registry",
      comment:
        "A provider's folder (ensemble/<name>/) is named only by ensemble/ itself, its registry entry (providers/) and the public index; everything else picks a provider from PROVIDERS and talks to the Ensemble interface.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(ensemble|providers)/|^src/index\\.ts$" },
      to: { path: "^src/ensemble/[^/]+/" },
    },
    {
      name: "provider-entries-behind-the-registry",
      comment:
        "Registry entries are reached through providers/registry.ts (and the chooser), never one by one.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/providers/" },
      to: { path: "^src/providers/", pathNot: "^src/providers/(registry|choose|provider)\\.ts$" },
    },
    {
      name: "ensemble-never-imports-network",
      comment:
        "Servers sit below the fault network: the runner (through the registry) builds the network and hands it in.",
      severity: "error",
      from: { path: "^src/ensemble/" },
      to: { path: "^src/(network|providers|faults|workload|runner|scenario|cli)/" },
    },
    {
      name: "remote-hosts-below-their-users",
      comment:
        "SSH hosts and inventories serve the ssh provider and the kernel network alike: they import neither.",
      severity: "error",
      from: { path: "^src/remote/" },
      to: { path: "^src/(ensemble|network|providers|faults|workload|runner|scenario|cli)/" },
    },
    {
      name: "test-fixtures-stay-out-of-the-library",
      comment:
        "Synthetic histories are for tests and benchmarks (the zk-chaos/testing subpath), never for running code.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/testing/" },
      to: { path: "^src/testing/" },
    },
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
