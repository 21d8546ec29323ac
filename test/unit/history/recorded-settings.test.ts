import { describe, expect, it } from "vitest";
import { type HistoryEvent, recordedSettings } from "../../../src/history/event.js";

const event = (index: number, value: unknown, f = "settings"): HistoryEvent => ({
  index,
  time: index * 1000,
  process: "observer",
  type: "ok",
  f,
  value,
});

describe("the settings a history carries", () => {
  it("reads the observer's settings event", () => {
    const settings = {
      tickTime: 2000,
      initLimit: 10,
      syncLimit: 5,
      sessionTimeoutMs: 12000,
      zooKeeperVersion: "3.4.5",
    };
    expect(recordedSettings([event(0, { statuses: {} }, "status"), event(1, settings)])).toEqual(
      settings,
    );
  });

  it("is absent from a history without one, or with an incomplete one", () => {
    expect(recordedSettings([event(0, { statuses: {} }, "status")])).toBeUndefined();
    expect(recordedSettings([event(0, { tickTime: 200, initLimit: 10 })])).toBeUndefined();
  });
});
