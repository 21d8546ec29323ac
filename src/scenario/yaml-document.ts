/**
 * A YAML file checked against a zod schema, with every problem named by
 * file, line and field: the scenario files and the deployment files read
 * through here.
 */
import { isMap, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { BadInputError } from "../errors.js";

/** A path into the document (field names and list indexes). */
export type DocumentPath = readonly PropertyKey[];

/** The line of the deepest node of the path that exists in the document. */
function lineOf(
  document: ReturnType<typeof parseDocument>,
  counter: LineCounter,
  path: DocumentPath,
): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = document.getIn(path.slice(0, depth) as unknown[], true) as
      | { range?: [number, number, number] }
      | undefined;
    if (node?.range) return counter.linePos(node.range[0]).line;
  }
  return 1;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((key) => `'${key}'`).join(", ")}: remove ${issue.keys.length > 1 ? "them" : "it"} or fix the spelling`;
  }
  if (issue.code === "invalid_type" && issue.message.includes("received undefined"))
    return "is required";
  return issue.message;
}

/**
 * Parses `text` as YAML and validates it with `schema`; `what` names the
 * kind of file in errors ("a scenario is a YAML mapping (...)"). Returns the
 * data and `at(path)`, the file:line of a field for later checks.
 */
export function parseYamlDocument<Schema extends z.ZodType>(
  text: string,
  file: string,
  schema: Schema,
  what: { readonly noun: string; readonly fields: string },
): { data: z.output<Schema>; at: (path: DocumentPath) => string } {
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter, prettyErrors: true });
  const syntax = document.errors[0];
  if (syntax) {
    const line = syntax.linePos?.[0]?.line ?? 1;
    const column = syntax.linePos?.[0]?.col ?? 1;
    // The parser's first line, without its own position (given in front), then the line itself with a caret.
    const reason = (syntax.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    const source = text.split("\n")[line - 1] ?? "";
    throw new BadInputError(
      `${file}:${line}:${column}: not valid YAML: ${reason}\n  ${source}\n  ${" ".repeat(Math.max(0, column - 1))}^`,
    );
  }
  if (!isMap(document.contents)) {
    throw new BadInputError(`${file}:1: ${what.noun} is a YAML mapping (${what.fields})`);
  }
  let data: unknown;
  try {
    // yaml refuses alias bombs (maxAliasCount) with an error of its own: that is bad input too.
    data = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new BadInputError(
      `${file}:1: not ${what.noun}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  const result = schema.safeParse(data);
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
      // An unknown key is reported where it is written.
      const at =
        issue.code === "unrecognized_keys" && issue.keys[0] !== undefined
          ? [...issue.path, issue.keys[0]]
          : issue.path;
      return `${file}:${lineOf(document, counter, at)}: ${field}: ${describeIssue(issue)}`;
    });
    throw new BadInputError(problems.join("\n"));
  }
  return {
    data: result.data,
    at: (path: DocumentPath) => `${file}:${lineOf(document, counter, path)}`,
  };
}
