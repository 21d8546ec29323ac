import { describe, expect, it } from "vitest";
import { NotificationRelay } from "../../../src/workload/notification-relay.js";
import type { WatchNotification } from "../../../src/workload/zk-session.js";

const data = (path: string): WatchNotification => ({ type: "NodeDataChanged", path });
const children = (path: string): WatchNotification => ({ type: "NodeChildrenChanged", path });

function relayed(
  fault: ConstructorParameters<typeof NotificationRelay>[0],
  input: WatchNotification[],
) {
  const out: string[] = [];
  const relay = new NotificationRelay(fault, (notification) => out.push(notification.path));
  for (const notification of input) relay.receive(notification, "s");
  relay.flush();
  return out;
}

describe("the notification relay (a broken client on purpose)", () => {
  it("passes everything on in order without a fault", () => {
    expect(relayed(undefined, [data("a"), children("b"), data("c")])).toEqual(["a", "b", "c"]);
  });

  it("drops exactly the data change after `after` good ones, and nothing else", () => {
    expect(
      relayed({ kind: "drop", after: 1 }, [data("a"), children("x"), data("b"), data("c")]),
    ).toEqual(["a", "x", "c"]);
  });

  it("hands the held data change on right after the next data change; other events pass meanwhile", () => {
    expect(
      relayed({ kind: "swap", after: 0 }, [data("a"), children("x"), data("b"), data("c")]),
    ).toEqual(["x", "b", "a", "c"]);
  });

  it("hands a held change on when the agent stops, if no other came", () => {
    expect(relayed({ kind: "swap", after: 0 }, [data("a")])).toEqual(["a"]);
  });
});
