import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The shared public histories (read in place, never copied into the repo). */
export const PORCUPINE_DIR = fileURLToPath(
  new URL("../../../shared/data/histories/porcupine/", import.meta.url),
);

/** Known verdicts by file, or undefined when the shared data is absent. */
export function porcupineVerdicts():
  | Record<string, { linearizable: boolean; model: string; ops: number }>
  | undefined {
  const file = `${PORCUPINE_DIR}verdicts.json`;
  return existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
}
