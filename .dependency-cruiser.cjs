/**
 * Import rules of zk-chaos (DESIGN.md, "One door per concept"). Checked by
 * test/unit/architecture.test.ts on every `npm test`; `npx depcruise src`
 * runs them by hand.
 */
const RUNNING = "^src/(ensemble|network|workload|runner|faults|scenario|cli|docker)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "checkers-read-only-the-history",
      comment:
        "Checkers are pure functions of the history: they may use the history, their own models and pure domain modules (quorum, topology), never running code.",
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
      from: { path: "^src/(quorum|topology|versions)/" },
      to: { path: `${RUNNING}|^src/(checkers|history|report|results)/` },
    },
    {
      name: "reports-read-the-results-document",
      comment:
        "Reports render the results document; the runner produces it. Reports never import the runner.",
      severity: "error",
      from: { path: "^src/(report|results)/" },
      to: { path: "^src/(runner|cli)/" },
    },
    {
      name: "concrete-providers-behind-the-chooser",
      comment:
        "Only ensemble/, the provider chooser (runner/provider.ts) and the public index name a concrete provider; everything else talks to the Ensemble interface.",
      severity: "error",
      from: {
        path: "^src/",
        pathNot: "^src/ensemble/|^src/runner/provider\\.ts$|^src/index\\.ts$",
      },
      to: { path: "^src/ensemble/(local-ensemble|local-server|docker-[^/]+)\\.ts$" },
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
