import { faultVariants, type JsonSchemaNode, scenarioJsonSchema } from "./schema.js";

/** A bare number or a text with units: the schema's union of string and number. */
function isDuration(node: JsonSchemaNode): boolean {
  return Array.isArray(node.type) && node.type.includes("string") && node.type.includes("number");
}

/** A node holding named fields of its own (drawn as a table of its own). */
function isObject(node: JsonSchemaNode): boolean {
  return node.properties !== undefined && Object.keys(node.properties).length > 0;
}

function range(node: JsonSchemaNode): string {
  // zod writes the safe-integer bounds of a bare int: no bound a reader needs to see.
  const minimum =
    node.minimum !== undefined && node.minimum > -Number.MAX_SAFE_INTEGER
      ? node.minimum
      : undefined;
  const maximum =
    node.maximum !== undefined && node.maximum < Number.MAX_SAFE_INTEGER ? node.maximum : undefined;
  if (minimum !== undefined && maximum !== undefined) return ` ${minimum}-${maximum}`;
  if (minimum !== undefined) return ` >= ${minimum}`;
  if (maximum !== undefined) return ` <= ${maximum}`;
  return "";
}

/**
 * A field's type in words: `duration`, `integer 1-9`, `list of ...`, `a | b`.
 * An object links to its own section, or with `inline` is written out in braces.
 */
export function typeText(node: JsonSchemaNode, path: string, inline = false): string {
  if (node.const !== undefined) return `\`${String(node.const)}\``;
  if (node.enum) return node.enum.map((value) => `\`${String(value)}\``).join(" \\| ");
  if (isDuration(node)) return "duration";
  const alternatives = node.anyOf ?? node.oneOf;
  if (alternatives) return alternatives.map((each) => typeText(each, path, inline)).join(" \\| ");
  if (isObject(node) && inline)
    return `{ ${Object.entries(node.properties ?? {})
      .map(([name, field]) => `${name}: ${typeText(field, `${path}.${name}`, true)}`)
      .join(", ")} }`;
  if (isObject(node)) return `object ([below](#${githubAnchor(headingOf(path))}))`;
  const tuple = node.prefixItems;
  if (Array.isArray(tuple))
    return `[${(tuple as JsonSchemaNode[]).map((each) => typeText(each, path, inline)).join(", ")}]`;
  if (node.type === "array" && node.items)
    return `list of ${typeText(node.items, `${path}[]`, inline)}`;
  if (node.type === "object" && typeof node.additionalProperties === "object")
    return `map of name → ${typeText(node.additionalProperties, `${path}.*`, inline)}`;
  if (typeof node.type === "string") return `${node.type}${range(node)}`;
  return "any";
}

/** A section's heading text for a field path. */
function headingOf(path: string): string {
  return path ? `\`${path}\`` : "Top-level fields";
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function githubAnchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replaceAll(" ", "-");
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** The sections below a node: every object field, at any depth, gets its own table. */
function sections(node: JsonSchemaNode, path: string, heading: string): string[] {
  const properties = node.properties ?? {};
  const required = new Set(node.required ?? []);
  const rows = Object.entries(properties).map(([name, field]) => {
    const fieldPath = path ? `${path}.${name}` : name;
    const shown =
      field.default === undefined
        ? required.has(name)
          ? "required"
          : ""
        : `\`${JSON.stringify(field.default)}\``;
    const type =
      name === "fault" && field.oneOf
        ? "one of the [fault kinds](#fault-kinds)"
        : typeText(field, fieldPath);
    return `| \`${name}\` | ${type} | ${shown} | ${cell(field.description ?? "")} |`;
  });
  const own = [
    `${heading} ${headingOf(path)}`,
    "",
    ...(node.description && path ? [node.description, ""] : []),
    "| Field | Type | Default | What it is |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ];
  const nested = Object.entries(properties).flatMap(([name, field]) => {
    const fieldPath = path ? `${path}.${name}` : name;
    if (name === "fault" && field.oneOf) return [];
    return objectsIn(field, fieldPath).flatMap(([child, childPath]) =>
      sections(child, childPath, heading),
    );
  });
  return [...own, ...nested];
}

/** The object nodes reachable from a field without passing another object (lists, maps, unions). */
function objectsIn(node: JsonSchemaNode, path: string): [JsonSchemaNode, string][] {
  if (isObject(node)) return [[node, path]];
  if (node.type === "array" && node.items) return objectsIn(node.items, `${path}[]`);
  if (typeof node.additionalProperties === "object")
    return objectsIn(node.additionalProperties, `${path}.*`);
  return (node.anyOf ?? node.oneOf ?? []).flatMap((each) => objectsIn(each, path));
}

/** One fault kind: its line from the catalogue and its fields. */
function faultKindSection(variant: JsonSchemaNode): string[] {
  const kind = String(variant.properties?.kind?.const);
  const fields = Object.entries(variant.properties ?? {}).filter(([name]) => name !== "kind");
  const required = new Set(variant.required ?? []);
  return [
    `### \`${kind}\``,
    "",
    variant.description ?? "",
    "",
    ...(fields.length === 0
      ? ["No fields besides `kind`.", ""]
      : [
          "| Field | Type | Required |",
          "| --- | --- | --- |",
          ...fields.map(
            ([name, field]) =>
              `| \`${name}\` | ${typeText(field, `fault.${kind}.${name}`, true)} | ${required.has(name) ? "yes" : ""} |`,
          ),
          "",
        ]),
  ];
}

/** docs/scenarios.md: the scenario file's reference, generated from the schema the loader checks against. */
export function scenarioReferenceMarkdown(): string {
  const schema = scenarioJsonSchema() as JsonSchemaNode;
  return [
    "# Scenario files",
    "",
    "<!-- Generated by `zk-chaos schema --markdown` from the schema the loader checks files against; a test keeps it current. Do not edit by hand. -->",
    "",
    "A scenario is a YAML file: which ensembles to start, what the clients do, which faults to inject and when, and which checkers judge the run. `zk-chaos lint FILE...` checks files without starting anything; `zk-chaos run FILE --dry-run` prints every run's plan; `zk-chaos run FILE` runs it.",
    "",
    "Editors that speak the YAML language server complete and check fields when the file's first line names the schema shipped with zk-chaos:",
    "",
    "```yaml",
    "# yaml-language-server: $schema=../node_modules/zk-chaos/scenarios/scenario.schema.json",
    "name: kill-leader",
    "nodes: [3, 5]",
    "duration: 20s",
    "workload: { kind: registers, workers: 6, rate: 20 }",
    "faults:",
    "  - { at: 5s, for: 5s, fault: { kind: kill, target: leader } }",
    "```",
    "",
    "**Durations** are a number of seconds (`10`) or a text with units (`500ms`, `20s`, `1m30s`). **Targets** name servers by id (`2`), by role at the moment the fault starts (`leader`, `follower`, `observer`), at random from the seed (`random`), the server whose log line fired the fault's trigger (`logged`), or relative to another fault (`{ same-as: f1 }`, `{ other-than: [f1, f2] }`; a fault `same-as` one that has not hit a server by then, its trigger unfired or its time later, is skipped, and so are the faults `after` it). **Counts** are a number or relative to the size: `f` (as many as the quorum tolerates) or `f+1`.",
    "",
    ...sections(schema, "", "##"),
    "## Fault kinds",
    "",
    "`faults[].fault.kind` picks one of these; the other fields of `fault` are the kind's own.",
    "",
    ...faultVariants(schema).flatMap(faultKindSection),
  ]
    .join("\n")
    .replace(/\n{3,}/g, "\n\n");
}
