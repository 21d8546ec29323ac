import { it } from "vitest";
import { describeOnProvider } from "../../helpers/provider.js";
import { expectStandardSuiteValidOnDocker } from "../../helpers/standard-suite.js";

// At 5 servers only the scenarios whose faults scale with the size (f, f+1, quorum splits):
// the others make the same point at every size, and the 3-server suite makes it.
describeOnProvider(
  "the size-dependent standard suite on docker, 5 nodes (8 s per scenario)",
  () => {
    it("every scenario whose faults scale with the size is valid (or hits a documented bug, proven) and leaves nothing", async () => {
      await expectStandardSuiteValidOnDocker(5, 305, true);
    }, 900_000);
  },
);
