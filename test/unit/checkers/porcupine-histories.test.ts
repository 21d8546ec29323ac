import { describe, expect, it } from "vitest";
import { checkLinearizable } from "../../../src/checkers/linearizability/check-linearizable.js";
import {
  type GeneralModelName,
  importedOperations,
} from "../../../src/checkers/linearizability/imported-models.js";
import type { LinOp, Model } from "../../../src/checkers/linearizability/model.js";
import { readJepsenEdn } from "../../../src/history/jepsen-edn.js";
import { readPorcupineLog } from "../../../src/history/porcupine-log.js";
import { PORCUPINE_DIR, porcupineVerdicts } from "../../helpers/shared-data.js";

const verdicts = porcupineVerdicts();

describe.skipIf(verdicts === undefined)(
  "the general checker on Porcupine's 108 public histories (../shared/data/histories)",
  () => {
    const entries = Object.entries(verdicts ?? {});

    it("covers all 108 files", () => {
      expect(entries).toHaveLength(108);
    });

    it.each(entries.filter(([file]) => !file.endsWith("etcd_095.log")))("%s", (file, known) => {
      const path = `${PORCUPINE_DIR}${file}`;
      const events = file.endsWith(".log") ? readPorcupineLog(path) : readJepsenEdn(path);
      const { model, ops } = importedOperations(
        known.model.split(" ")[0] as GeneralModelName,
        events,
        path,
      );
      const verdict = checkLinearizable(
        model as Model<unknown, unknown, unknown>,
        ops as LinOp<unknown, unknown>[],
        { timeoutMs: 60_000 },
      );
      expect(verdict.valid).toBe(known.linearizable);
      if (verdict.valid === false) {
        expect(verdict.anomalies[0]?.events.length).toBeGreaterThan(0);
        expect(verdict.anomalies[0]?.message).toMatch(/cannot take effect/);
      }
    });

    it("rejects the empty etcd_095.log as an input error, not a verdict", () => {
      expect(() => readPorcupineLog(`${PORCUPINE_DIR}test_data/jepsen/etcd_095.log`)).toThrow(
        /the history is empty/,
      );
    });
  },
);
