import { describe, expect, it } from "vitest";
import { canRunLocally, type DoctorResult, doctorReport } from "../../../src/doctor/doctor.js";

const fix = { debian: "apt it", fedora: "dnf it", noRoot: "unpack it" };
const result = (name: string, status: DoctorResult["status"], required: boolean): DoctorResult => ({
  name,
  status,
  required,
  detail: `${name} detail`,
  enables: `${name} things`,
  fix,
});

describe("the doctor's verdict and report", () => {
  it("a local run can start when every required part is there; a warning or a missing option does not stop it", () => {
    expect(canRunLocally([result("java", "ok", true), result("docker", "missing", false)])).toBe(
      true,
    );
    expect(canRunLocally([result("zookeeper", "warn", true)])).toBe(true);
    expect(canRunLocally([result("java", "missing", true), result("docker", "ok", false)])).toBe(
      false,
    );
  });

  it("prints a line per check, what a missing part is for, and its fix on each kind of machine", () => {
    const report = doctorReport([result("java", "missing", true), result("docker", "ok", false)]);
    expect(report).toBe(
      [
        "missing  java    java detail",
        "                 needed for java things",
        "ok       docker  docker detail",
        "",
        "how to fix:",
        "java (required):",
        "  Debian/Ubuntu: apt it",
        "  Fedora/RHEL:   dnf it",
        "  without root:  unpack it",
        "",
        "a local run cannot start: fix the required parts above",
        "",
      ].join("\n"),
    );
  });
});
