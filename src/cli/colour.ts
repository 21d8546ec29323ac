import { styleText } from "node:util";
import type { Validity } from "../checkers/verdict.js";

/** Where text goes: only whether it is coloured matters here (the CLI's CliIo has it). */
interface Painted {
  readonly colour?: boolean;
}

/** The styles the CLI uses: pass, fail, undecided, and less important text. */
export type Style = "green" | "red" | "yellow" | "dim";

/**
 * Whether output to this stream is coloured: on a terminal (not TERM=dumb)
 * unless NO_COLOR is set (https://no-color.org), or wherever FORCE_COLOR asks.
 */
export function colourWanted(
  stream: { readonly isTTY?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0")
    return true;
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** Text in a style when the output is coloured, else as it is. */
export function paint(io: Painted, style: Style, text: string): string {
  return io.colour ? styleText(style, text, { validateStream: false }) : text;
}

const MARKS: Readonly<Record<string, { text: string; style: Style }>> = {
  true: { text: "valid  ", style: "green" },
  false: { text: "INVALID", style: "red" },
  unknown: { text: "unknown", style: "yellow" },
};

/** A verdict's mark, seven characters wide, coloured when the output is. */
export function validityMark(io: Painted, validity: Validity): string {
  const mark = MARKS[String(validity)] ?? MARKS.unknown;
  return paint(io, mark?.style ?? "yellow", mark?.text ?? "unknown");
}

/** An expectation's mark (a known bug, a mistake made on purpose), coloured when the output is. */
export function expectationMark(io: Painted, matched: Validity): string {
  if (matched === true) return paint(io, "green", "as expected");
  if (matched === false) return paint(io, "red", "NOT AS EXPECTED");
  return paint(io, "yellow", "undecided");
}
