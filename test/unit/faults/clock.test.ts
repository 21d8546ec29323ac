import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  clockText,
  fakeClockUnavailable,
  writeClock,
} from "../../../src/ensemble/local/fake-clock.js";
import { parseScenario } from "../../../src/scenario/load-scenario.js";

const dir = mkdtempSync(join(tmpdir(), "zk-chaos-clock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withFault = (fault: string) =>
  `name: c\nnodes: [3]\nfaults:\n  - { at: 1s, fault: { kind: clock, ${fault} } }\n`;

describe("clock faults: the scenario's words and libfaketime's", () => {
  it("writes offsets as libfaketime reads them: signed seconds, no trailing zeros", () => {
    expect(clockText(3_600_000)).toBe("+3600");
    expect(clockText(1500)).toBe("+1.5");
    expect(clockText(250)).toBe("+0.25");
    expect(clockText(0)).toBe("+0");
    const file = join(dir, "faketime.rc");
    writeClock(file, 90_000);
    expect(readFileSync(file, "utf8")).toBe("+90\n");
  });

  it("reads forward jumps and refuses a clock that would go back, or not move", () => {
    const plan = parseScenario(withFault("target: leader, offset: +1h"), "c.yaml");
    expect(plan.faults[0]?.fault).toEqual({ kind: "clock", target: "leader", offset: 3_600_000 });
    expect(parseScenario(withFault("offset: 90"), "c.yaml").faults[0]?.fault).toMatchObject({
      offset: 90_000,
    });
    expect(() => parseScenario(withFault("offset: -10s"), "c.yaml")).toThrow(
      /c\.yaml:4: faults\.0\.fault\.offset: a clock only jumps forward here: .*monotonic clock/,
    );
    expect(() => parseScenario(withFault("offset: 0s"), "c.yaml")).toThrow(
      /give an offset above zero/,
    );
    expect(() => parseScenario(withFault("offset: +400d"), "c.yaml")).toThrow(/not a duration/);
  });

  it("names the library's fix when it is missing, or when ZK_CHAOS_LIBFAKETIME names nothing", () => {
    expect(fakeClockUnavailable({ ZK_CHAOS_LIBFAKETIME: join(dir, "none.so") })).toMatch(
      /ZK_CHAOS_LIBFAKETIME names .*none\.so, which does not exist/,
    );
  });
});
