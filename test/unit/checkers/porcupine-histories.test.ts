import { describe, expect, it } from "vitest";
import { type CheckModel, checkHistoryFile } from "../../../src/checkers/check-history.js";
import type { Verdict } from "../../../src/checkers/verdict.js";
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

    it.each(entries.filter(([file]) => !file.endsWith("etcd_095.log")))(
      "%s",
      async (file, known) => {
        const check = await checkHistoryFile(`${PORCUPINE_DIR}${file}`, {
          model: known.model.split(" ")[0] as CheckModel,
          timeoutMs: 60_000,
        });
        const verdict = check.verdicts[0] as Verdict;
        expect(verdict.valid).toBe(known.linearizable);
        if (verdict.valid === false) {
          expect(verdict.anomalies[0]?.events.length).toBeGreaterThan(0);
          expect(verdict.anomalies[0]?.message).toMatch(/cannot take effect/);
        }
      },
    );

    it("the empty etcd_095.log is valid, with a note that nothing was checked, as Porcupine and Knossos rule", async () => {
      const path = `${PORCUPINE_DIR}test_data/jepsen/etcd_095.log`;
      expect(readPorcupineLog(path)).toEqual([]);
      const check = await checkHistoryFile(path);
      expect(check.valid).toBe(true);
      expect(check.events).toBe(0);
      expect(check.notes.at(-1)).toMatch(
        /^no client operation in this history: valid, as Knossos and Porcupine rule/,
      );
    });
  },
);
