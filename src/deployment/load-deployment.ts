import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { BadInputError } from "../errors.js";
import { parseScenario } from "../scenario/load-scenario.js";
import { parseYamlDocument } from "../scenario/yaml-document.js";
import { stepScenario } from "./capacity.js";
import { type Deployment, deploymentSchema } from "./deployment-schema.js";

/** Parses and checks a deployment file, naming file, line and field of any problem. */
export function parseDeployment(text: string, file: string): Deployment {
  const { data, at } = parseYamlDocument(text, file, deploymentSchema, {
    noun: "a deployment",
    fields: "name:, sizes:, agents:, serviceLevel:, variants:, ...",
  });
  // ZooKeeper grants 2 to 20 ticks by default; validate runs the fast profile (tickTime 200 ms)
  // with maxSessionTimeout raised to fit, so only a timeout below two ticks would be clamped.
  if (data.agents.sessionTimeout < 400)
    throw new BadInputError(
      `${at(["agents", "sessionTimeout"])}: agents.sessionTimeout: ${data.agents.sessionTimeout} ms is below two ticks (400 ms), so ZooKeeper would silently use 400 ms: use at least 400ms`,
    );
  if (data.states.includes("f-down") && data.sizes.includes(1))
    throw new BadInputError(
      `${at(["sizes"])}: sizes: 1 server tolerates no failure, so the f-down state has nothing to take down: drop size 1 or the f-down state`,
    );
  // Every step's scenario is checked now: a problem is bad input before anything starts.
  for (const nodes of data.sizes)
    for (const supervisor of data.variants.supervisor)
      for (const state of data.states)
        for (const agents of data.agents.ramp) {
          const scenario = stepScenario(data, nodes, state, agents, supervisor);
          try {
            parseScenario(stringify(scenario), `${file} (step ${scenario.name}, ${nodes} servers)`);
          } catch (error) {
            if (error instanceof BadInputError)
              throw new BadInputError(`${at(["agents"])}: ${error.message}`);
            throw error;
          }
        }
  return data;
}

/** Reads and checks a deployment file. */
export function loadDeployment(file: string): Deployment {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new BadInputError(
      `${file}: cannot read the deployment (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): check the path`,
    );
  }
  return parseDeployment(text, file);
}
