import { it } from "vitest";
import { describeOnProvider } from "../../helpers/provider.js";
import { expectStandardSuiteValidOnDocker } from "../../helpers/standard-suite.js";

describeOnProvider("the standard suite on docker, 3 nodes (8 s per scenario)", () => {
  it("every scenario is valid (or hits a documented bug, proven) and leaves nothing", async () => {
    await expectStandardSuiteValidOnDocker(3, 303);
  }, 900_000);
});
