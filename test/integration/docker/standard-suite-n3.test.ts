import { it } from "vitest";
import { describeOnProvider } from "../../helpers/provider.js";
import { expectStandardSuiteValidOnDocker } from "../../helpers/standard-suite.js";

describeOnProvider(
  "the standard suite on docker, 3 nodes, a scenario per fault kind (8 s each)",
  () => {
    it("every one is valid (or hits a documented bug, proven) and leaves nothing", async () => {
      await expectStandardSuiteValidOnDocker(3, 303);
    }, 900_000);
  },
);
