import { describe, expect, it } from "vitest";
import {
  githubAnnotations,
  inGitHubActions,
  MAX_ANNOTATIONS_PER_RUN,
} from "../../../src/report/github-annotations.js";
import { VALID_RESULTS } from "../../helpers/results.js";

const passed = VALID_RESULTS;

const anomaly = (message: string) => ({ kind: "lost-write", message, events: [4] });

describe("GitHub Actions annotations of a run", () => {
  it("a run that passed annotates nothing", () => {
    expect(githubAnnotations(passed)).toEqual([]);
  });

  it("one ::error per anomaly, with the checker, the cause and the replay; newlines, % and the title's : and , escaped", () => {
    const lines = githubAnnotations({
      ...passed,
      valid: false,
      verdicts: [
        {
          checker: "zookeeper-registers",
          guarantee: "g",
          valid: false,
          elapsedMs: 3,
          anomalies: [
            {
              ...anomaly("write 7 on /a lost (100% gone)"),
              cause: { message: "the wipe", events: [9] },
            },
            anomaly("read of /b\nsaw nothing"),
          ],
        },
      ],
    });
    expect(lines).toEqual([
      "::error title=zk-chaos%3A kill-leader n=3 zk=3.8.0 seed=7::zookeeper-registers: write 7 on /a lost (100%25 gone)%0Acause: the wipe%0Areplay: zk-chaos run scenarios/kill-leader.yaml --nodes 3 --seed 7 --duration 20s",
      "::error title=zk-chaos%3A kill-leader n=3 zk=3.8.0 seed=7::zookeeper-registers: read of /b%0Asaw nothing%0Areplay: zk-chaos run scenarios/kill-leader.yaml --nodes 3 --seed 7 --duration 20s",
    ]);
  });

  it("an undecided run gets one annotation saying so", () => {
    const lines = githubAnnotations({ ...passed, valid: "unknown" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/::the checkers could not decide%0Areplay: zk-chaos run/);
  });

  it("a known bug shown as expected annotates nothing; one expected but absent says what was expected", () => {
    const bug = {
      jira: ["ZOOKEEPER-1622"],
      title: "t",
      version: "3.4.5",
      observed: "absent" as const,
      expected: "reproduced" as const,
      matched: false,
    };
    expect(
      githubAnnotations({ ...passed, bug: { ...bug, observed: "reproduced", matched: true } }),
    ).toEqual([]);
    expect(githubAnnotations({ ...passed, bug })).toEqual([
      expect.stringMatching(/::known bug ZOOKEEPER-1622: absent, expected reproduced%0Areplay: /),
    ]);
  });

  it("many anomalies stop at the cap, the last line counting the rest", () => {
    const anomalies = Array.from({ length: 25 }, (_, i) => anomaly(`lost ${i}`));
    const lines = githubAnnotations({
      ...passed,
      valid: false,
      verdicts: [
        { checker: "transactions", guarantee: "g", valid: false, elapsedMs: 1, anomalies },
      ],
    });
    expect(lines).toHaveLength(MAX_ANNOTATIONS_PER_RUN);
    expect(lines.at(-1)).toMatch(/::16 more anomalies: see the run's report\.html%0Areplay: /);
  });

  it("only a GitHub Actions step reads them", () => {
    expect(inGitHubActions({ GITHUB_ACTIONS: "true" })).toBe(true);
    expect(inGitHubActions({})).toBe(false);
  });
});
