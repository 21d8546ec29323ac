import { readFileSync } from "node:fs";
import { BadInputError } from "../errors.js";
import { type FaultKind, isFaultKind, MESSAGE_FAULT_KINDS } from "../faults/fault-spec.js";
import { providerCannot } from "../providers/registry.js";
import { checkConfigKeys } from "../zookeeper/release-lines.js";
import { profileSettings } from "../zookeeper/settings.js";
import { type Scenario, scenarioSchema } from "./schema.js";
import { type DocumentPath, parseYamlDocument } from "./yaml-document.js";

type Path = DocumentPath;

/**
 * Parses and validates a scenario. A bad file is rejected before anything
 * starts, with the file, line, field and what to do. `sizes` replaces the
 * file's own nodes (--nodes): every server it names must exist in each.
 */
export function parseScenario(text: string, file: string, sizes?: readonly number[]): Scenario {
  const parsed = parseYamlDocument(text, file, scenarioSchema, {
    noun: "a scenario",
    fields: "name:, nodes:, faults:, ...",
  });
  const at = parsed.at;
  const scenario = sizes ? { ...parsed.data, nodes: [...sizes] } : parsed.data;
  const smallest = Math.min(...scenario.nodes);
  scenario.faults.forEach((entry, index) => {
    const fault = entry.fault as Record<string, unknown>;
    for (const key of ["target", "from", "to"]) {
      const value = fault[key];
      if (typeof value === "number" && value > smallest) {
        throw new BadInputError(
          `${at(["faults", index, "fault", key])}: faults.${index}.fault.${key}: server ${value} does not exist in a ${smallest}-node ensemble: use an id up to ${smallest}, or leader/follower/random`,
        );
      }
    }
  });
  if (scenario.observers >= smallest)
    throw new BadInputError(
      `${at(["observers"])}: observers: ${scenario.observers} observer(s) leave no voter in a ${smallest}-node ensemble: use fewer observers than the smallest size, or larger nodes`,
    );
  if (scenario.members !== undefined && scenario.members > smallest)
    throw new BadInputError(
      `${at(["members"])}: members: ${scenario.members} members, but the ${smallest}-node ensemble has ${smallest} servers: use at most ${smallest}`,
    );
  const membership = scenario.faults.findIndex(
    (entry) => entry.fault.kind === "join" || entry.fault.kind === "leave",
  );
  if (membership >= 0 && scenario.members === undefined)
    throw new BadInputError(
      `${at(["faults", membership, "fault", "kind"])}: faults.${membership}.fault.kind: ${scenario.faults[membership]?.fault.kind} changes the membership: give the scenario members: N (the servers that start as the ensemble)`,
    );
  checkFaultBounds(scenario, at);
  checkVersions(scenario, at);
  checkFaultReferences(scenario, at);
  checkRoles(scenario, at);
  checkSessionTimeout(scenario, at);
  return scenario;
}

/**
 * The workers' session timeout inside the bounds the servers negotiate
 * (2 and 20 ticks unless set): ZooKeeper would silently clamp it, and the
 * run would test another timeout than the file says.
 */
function checkSessionTimeout(scenario: Scenario, at: (path: Path) => string): void {
  const { zookeeper, workload } = scenario;
  // The keys may also come as raw zoo.cfg lines.
  const raw = (key: string) => {
    const value = Number(zookeeper.config?.[key]);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const tick = zookeeper.tickTime ?? raw("tickTime") ?? profileSettings(zookeeper.profile).tickTime;
  const min = zookeeper.minSessionTimeout ?? raw("minSessionTimeout") ?? 2 * tick;
  const max = zookeeper.maxSessionTimeout ?? raw("maxSessionTimeout") ?? 20 * tick;
  const wanted = workload.sessionTimeout;
  if (wanted >= min && wanted <= max) return;
  const bound = wanted < min ? `at least ${min} ms` : `at most ${max} ms`;
  const setting = wanted < min ? "zookeeper.minSessionTimeout" : "zookeeper.maxSessionTimeout";
  throw new BadInputError(
    `${at(["workload", "sessionTimeout"])}: workload.sessionTimeout: ${wanted} ms is outside what the servers grant (${min}-${max} ms with tickTime ${tick} ms), so ZooKeeper would silently use ${wanted < min ? min : max} ms: use ${bound}, or set ${setting}`,
  );
}

/** Faults start within the run and name only servers every size has (groups, links, counts, triggers). */
function checkFaultBounds(scenario: Scenario, at: (path: Path) => string): void {
  const smallest = Math.min(...scenario.nodes);
  const tooBig = (id: number, path: Path, field: string) => {
    if (id > smallest)
      throw new BadInputError(
        `${at(path)}: ${field}: server ${id} does not exist in a ${smallest}-node ensemble: use ids up to ${smallest}`,
      );
  };
  scenario.faults.forEach((entry, index) => {
    const base = ["faults", index] as const;
    if (entry.after === undefined && entry.at >= scenario.duration)
      throw new BadInputError(
        `${at([...base, "at"])}: faults.${index}.at: starts at ${entry.at / 1000} s, when the ${scenario.duration / 1000} s run is over: start it earlier or lengthen duration`,
      );
    const fault = entry.fault as Record<string, unknown>;
    // A message fault's count is of messages, not servers.
    const kind = entry.fault.kind;
    const countsServers = !(isFaultKind(kind) && MESSAGE_FAULT_KINDS.has(kind));
    if (countsServers && typeof fault.count === "number" && fault.count > smallest)
      throw new BadInputError(
        `${at([...base, "fault", "count"])}: faults.${index}.fault.count: ${fault.count} servers, but the ${smallest}-node ensemble has ${smallest}: use at most ${smallest}, or f / f+1`,
      );
    if (Array.isArray(fault.groups))
      for (const group of fault.groups as number[][])
        for (const id of group)
          tooBig(id, [...base, "fault", "groups"], `faults.${index}.fault.groups`);
    if (Array.isArray(fault.links))
      for (const pair of fault.links as number[][])
        for (const id of pair)
          tooBig(id, [...base, "fault", "links"], `faults.${index}.fault.links`);
    if (typeof entry.when?.server === "number")
      tooBig(entry.when.server, [...base, "when", "server"], `faults.${index}.when.server`);
  });
}

/** after / same-as / other-than name faults of the scenario; "logged" needs a trigger; ids are unique. */
function checkFaultReferences(scenario: Scenario, at: (path: Path) => string): void {
  const ids = scenario.faults.map((entry, index) => entry.id ?? `f${index + 1}`);
  ids.forEach((id, index) => {
    if (ids.indexOf(id) !== index)
      throw new BadInputError(
        `${at(["faults", index, "id"])}: faults.${index}.id: '${id}' names two faults: give each its own id`,
      );
  });
  const known = (id: string, path: Path, field: string) => {
    if (!ids.includes(id))
      throw new BadInputError(
        `${at(path)}: ${field}: no fault '${id}' in this scenario: use one of ${ids.join(", ")}`,
      );
  };
  scenario.faults.forEach((entry, index) => {
    if (entry.after !== undefined)
      known(entry.after, ["faults", index, "after"], `faults.${index}.after`);
    const fault = entry.fault as Record<string, unknown>;
    for (const key of ["target", "from", "to"]) {
      const value = fault[key];
      const path = ["faults", index, "fault", key];
      const field = `faults.${index}.fault.${key}`;
      if (value === "logged" && entry.when === undefined)
        throw new BadInputError(
          `${at(path)}: ${field}: 'logged' is the server whose log line fired the fault: add a 'when' trigger`,
        );
      if (typeof value === "object" && value !== null) {
        const refs = value as { "same-as"?: string; "other-than"?: string[] };
        if (refs["same-as"] !== undefined) known(refs["same-as"], path, field);
        for (const other of refs["other-than"] ?? []) known(other, path, field);
      }
    }
  });
}

/** Roles cover at most the scenario's workers and pin only to servers every size has. */
function checkRoles(scenario: Scenario, at: (path: Path) => string): void {
  const roles = scenario.workload.roles ?? [];
  const total = roles.reduce((sum, role) => sum + role.workers, 0);
  if (total > scenario.workload.workers)
    throw new BadInputError(
      `${at(["workload", "roles"])}: workload.roles: the roles name ${total} workers, but workload.workers is ${scenario.workload.workers}: raise workers or shrink the roles`,
    );
  if (roles.length > 0 && scenario.workload.kind !== "registers")
    throw new BadInputError(
      `${at(["workload", "roles"])}: workload.roles: roles choose register operations: use kind: registers`,
    );
  const smallest = Math.min(...scenario.nodes);
  roles.forEach((role, index) => {
    if (typeof role.pin === "number" && role.pin > smallest)
      throw new BadInputError(
        `${at(["workload", "roles", index, "pin"])}: workload.roles.${index}.pin: server ${role.pin} does not exist in a ${smallest}-node ensemble`,
      );
    const ids = scenario.faults.map((entry, fault) => entry.id ?? `f${fault + 1}`);
    if (role.pinAt !== undefined && !ids.includes(role.pinAt))
      throw new BadInputError(
        `${at(["workload", "roles", index, "pinAt"])}: workload.roles.${index}.pinAt: no fault '${role.pinAt}' in this scenario: use one of ${ids.join(", ") || "(no faults)"}`,
      );
  });
}

/** Versions the scenario names must be ones zk-chaos knows, and must read the scenario's zoo.cfg keys. */
function checkVersions(scenario: Scenario, at: (path: Path) => string): void {
  const { zookeeper } = scenario;
  const named: { version: string; path: Path }[] = [];
  if (zookeeper.version) named.push({ version: zookeeper.version, path: ["zookeeper", "version"] });
  const smallest = Math.min(...scenario.nodes);
  for (const [id, version] of Object.entries(zookeeper.versions ?? {})) {
    const path = ["zookeeper", "versions", id];
    if (Number(id) > smallest) {
      throw new BadInputError(
        `${at(path)}: zookeeper.versions.${id}: server ${id} does not exist in a ${smallest}-node ensemble: use ids up to ${smallest}`,
      );
    }
    named.push({ version, path });
  }
  scenario.faults.forEach((entry, index) => {
    const kind = scenarioFaultKind(entry.fault.kind);
    const why = kind === undefined ? undefined : providerCannot(scenario.provider, kind);
    if (why !== undefined) {
      throw new BadInputError(
        `${at(["faults", index, "fault", "kind"])}: faults.${index}.fault: ${entry.fault.kind} ${why} (provider: ${scenario.provider})`,
      );
    }
  });
  scenario.faults.forEach((entry, index) => {
    const fault = entry.fault;
    if (fault.kind !== "upgrade" && fault.kind !== "downgrade" && fault.kind !== "rolling-upgrade")
      return;
    const path = ["faults", index, "fault", "version"];
    named.push({ version: fault.version, path });
  });
  for (const id of Object.keys(zookeeper.servers ?? {})) {
    if (Number(id) > smallest)
      throw new BadInputError(
        `${at(["zookeeper", "servers", id])}: zookeeper.servers.${id}: server ${id} does not exist in a ${smallest}-node ensemble`,
      );
  }
  const keys = [
    ...Object.keys(zookeeper.config ?? {}),
    ...Object.values(zookeeper.servers ?? {}).flatMap((each) => Object.keys(each.config ?? {})),
  ];
  for (const { version, path } of named) {
    try {
      checkConfigKeys(keys, version, "zookeeper.config");
    } catch (error) {
      throw new BadInputError(`${at(path)}: ${(error as Error).message}`);
    }
  }
}

/** Reads and validates a scenario file (for these sizes instead of its own, when given). */
export function loadScenario(file: string, sizes?: readonly number[]): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new BadInputError(
      `${file}: cannot read the scenario (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path`,
    );
  }
  try {
    return parseScenario(text, file, sizes);
  } catch (error) {
    // The file may be right for its own sizes: say where the size came from.
    if (
      sizes !== undefined &&
      error instanceof BadInputError &&
      /-node ensemble/.test(error.message)
    )
      throw new BadInputError(`${error.message} (the sizes are --nodes ${sizes.join(",")})`);
    throw error;
  }
}

/** The fault kind a scenario's fault expands to (a rolling upgrade is upgrades), if it is one. */
function scenarioFaultKind(kind: string): FaultKind | undefined {
  if (kind === "rolling-upgrade") return "upgrade";
  return isFaultKind(kind) ? kind : undefined;
}

/** The first fault of the scenario the docker provider cannot make, if any (such a scenario is skipped on docker). */
export function faultDockerCannot(scenario: Scenario): FaultKind | undefined {
  return scenario.faults
    .map((entry) => scenarioFaultKind(entry.fault.kind))
    .find((kind) => kind !== undefined && providerCannot("docker", kind) !== undefined);
}
