import { describe, expect, it } from "vitest";
import { colourWanted, expectationMark, paint, validityMark } from "../../../src/cli/colour.js";

const io = (colour: boolean) => ({ out: () => {}, err: () => {}, colour });

describe("colour on a terminal, honouring NO_COLOR", () => {
  it("a terminal gets colour; a pipe, NO_COLOR or TERM=dumb do not; FORCE_COLOR asks for it anywhere", () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({}, {})).toBe(false);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    // An empty NO_COLOR does not count (no-color.org).
    expect(colourWanted({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(colourWanted({ isTTY: true }, { TERM: "dumb" })).toBe(false);
    expect(colourWanted({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colourWanted({ isTTY: false }, { FORCE_COLOR: "0" })).toBe(false);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
  });

  it("marks are plain without colour and wrapped in SGR codes with it", () => {
    expect(validityMark(io(false), true)).toBe("valid  ");
    expect(validityMark(io(false), false)).toBe("INVALID");
    expect(validityMark(io(false), "unknown")).toBe("unknown");
    expect(validityMark(io(true), false)).toBe("\u001b[31mINVALID\u001b[39m");
    expect(validityMark(io(true), true)).toBe("\u001b[32mvalid  \u001b[39m");
    expect(expectationMark(io(false), false)).toBe("NOT AS EXPECTED");
    expect(expectationMark(io(true), true)).toBe("\u001b[32mas expected\u001b[39m");
    expect(paint(io(true), "yellow", "warn")).toBe("\u001b[33mwarn\u001b[39m");
  });
});
