/**
 * Records the peer messages the fault network decodes as history events
 * (process "wire"): who sent what to whom on which link, with its zxid and
 * summary; `full` adds the first bytes of each body in hex.
 */
import type { HistoryRecorder } from "../history/recorder.js";
import { WIRE_PROCESS, type WireEventValue } from "../history/wire.js";
import type { FaultNetwork, WireLinkEvent } from "../network/fault-network.js";
import { wireZxid } from "../network/wire/zab-packets.js";

/** The history value of one decoded message or undecoded stream. */
export function wireEventValue(event: WireLinkEvent, full: boolean): WireEventValue {
  // Upstream runs from the server that dialled (the link's from) to the one it dialled.
  const [sender, receiver] =
    event.stream === "upstream" ? [event.from, event.to] : [event.to, event.from];
  const where = { channel: event.channel, sender, receiver, connection: event.connection };
  const message = event.message;
  if (message === undefined)
    return {
      ...where,
      ...(event.undecoded
        ? { offset: event.undecoded.offset, reason: event.undecoded.reason }
        : {}),
    };
  return {
    ...where,
    type: message.type,
    ...(message.zxid !== undefined ? { zxid: wireZxid(message.zxid) } : {}),
    size: message.size,
    summary: message.summary,
    ...(full && message.head ? { head: message.head.toString("hex") } : {}),
    ...(event.rule ? { action: event.rule.action } : {}),
    ...(event.ruleOwner !== undefined ? { by: event.ruleOwner } : {}),
  };
}

/** Starts recording the network's decoded messages; returns the stop. */
export function recordWire(
  network: FaultNetwork,
  recorder: HistoryRecorder,
  mode: "summary" | "full",
): () => void {
  return network.onWire((event) =>
    recorder.record({
      process: WIRE_PROCESS,
      type: "info",
      f: event.message ? "message" : "undecoded",
      value: wireEventValue(event, mode === "full"),
    }),
  );
}
