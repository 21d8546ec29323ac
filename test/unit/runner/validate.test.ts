import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  settingsFromZooCfg,
  sizingAdvice,
  standardSuiteDir,
} from "../../../src/runner/validate.js";
import { settingsFromZkConfig } from "../../../src/zookeeper/zoo-cfg-settings.js";

describe("validate's advice", () => {
  it("speaks in the terms operators know", () => {
    expect(sizingAdvice(1, 2, 0, 0).join()).toMatch(/for development only, with at most 3 agents/);
    expect(sizingAdvice(1, 10, 0, 0).join()).toMatch(/you plan 10/);
    expect(sizingAdvice(3, 10, 1, 1)).toEqual([
      "3 servers tolerate 1 failure: the usual production size",
    ]);
    expect(sizingAdvice(3, 80, 1, 1).join()).toMatch(
      /beyond a few dozen agents \(you plan 80\) prefer 5/,
    );
    expect(sizingAdvice(4, 10, 1, 1).join()).toMatch(
      /an even size adds no tolerance: 4 servers tolerate 1 failure\(s\), as 3 do; run 3 or 5/,
    );
    expect(sizingAdvice(5, 100, 2, 2).join()).toMatch(
      /right for deployments beyond a few dozen agents/,
    );
    expect(sizingAdvice(5, 100, 1, 2).join()).toMatch(
      /measured tolerance \(1\) is below what quorum math promises \(2\)/,
    );
  });

  it("reads a zoo.cfg, keeping zk-chaos's own layout keys", () => {
    const dir = mkdtempSync(join(tmpdir(), "zk-chaos-cfg-"));
    try {
      const file = join(dir, "zoo.cfg");
      writeFileSync(
        file,
        "# production\ntickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/lib/zookeeper\nclientPort=2181\nserver.1=zk1:2888:3888\nsnapCount=50000\n",
      );
      expect(settingsFromZooCfg(file)).toEqual({
        tickTime: 2000,
        initLimit: 10,
        syncLimit: 5,
        extraConfig: { snapCount: "50000" },
      });
      // The same on every command: a file and key=value entries together, the later winning.
      expect(settingsFromZkConfig([file, "snapCount=1", "tickTime=500"])).toEqual({
        tickTime: 500,
        initLimit: 10,
        syncLimit: 5,
        extraConfig: { snapCount: "1" },
      });
      writeFileSync(file, "tickTime=fast\n");
      expect(() => settingsFromZooCfg(file)).toThrow(/zoo\.cfg:1: tickTime must be a whole number/);
      expect(() => settingsFromZooCfg(join(dir, "none.cfg"))).toThrow(
        /cannot read it .*check --zk-config/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("finds the standard suite shipped with the package", () => {
    expect(standardSuiteDir()).toMatch(/scenarios$/);
  });
});
