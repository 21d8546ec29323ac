import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../../src/util/duration.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["1.5m", 90_000],
    ["2h", 7_200_000],
    ["1m30s", 90_000],
    ["10", 10_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "abc", "10x", "5 s", "-3s", "s"])("rejects %j with a hint", (text) => {
    expect(() => parseDuration(text, "--for")).toThrow(/--for '.*' is not a duration: use .* 30s/);
  });
});

describe("formatDuration", () => {
  it("picks a unit people read", () => {
    expect(formatDuration(850)).toBe("850 ms");
    expect(formatDuration(1250)).toBe("1.25 s");
    expect(formatDuration(125_000)).toBe("2m05s");
    // Seconds that round up carry into the minutes (a validate once printed 5m60s).
    expect(formatDuration(359_600)).toBe("6m00s");
    expect(formatDuration(59_996)).toBe("1m00s");
    expect(formatDuration(59_990)).toBe("59.99 s");
  });
});
