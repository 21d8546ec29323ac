/**
 * What the wire shows of a leader that took over without committed writes:
 * the sync before its election in which it received the missing write's
 * PROPOSAL, took the new epoch on NEWLEADER and answered it with an ACK.
 * With those three messages the proof no longer rests on log lines alone:
 * the server had the write in hand when it accepted the epoch it later led from.
 */
import { formatZxid, type HistoryEvent } from "../../history/event.js";
import { type WireEvent, wireMessages } from "../../history/wire.js";

/** The messages of the last sync a server took part in as a learner before an event. */
export interface SyncOnWire {
  /** The NEWLEADER it received, and its epoch's first zxid. */
  readonly newLeader: number;
  readonly epochZxid: string;
  /** Its ACK of that NEWLEADER (held or not), if it sent one. */
  readonly ack?: number;
  /** The PROPOSAL of the missing write in the same sync, if it was there. */
  readonly proposal?: number;
}

function lastOf<T>(items: readonly T[], test: (item: T) => boolean): T | undefined {
  for (let at = items.length - 1; at >= 0; at--) if (test(items[at] as T)) return items[at];
  return undefined;
}

/** Two messages of the same connection, either way. */
function sameConnection(a: WireEvent, b: WireEvent): boolean {
  return (
    a.value.channel === b.value.channel &&
    a.value.connection === b.value.connection &&
    new Set([a.value.sender, a.value.receiver, b.value.sender, b.value.receiver]).size === 2
  );
}

/** The wire before `before`, and the last NEWLEADER `server` received in it. */
function lastNewLeader(
  events: readonly HistoryEvent[],
  server: number,
  before: number,
): { wire: WireEvent[]; newLeader: WireEvent | undefined } {
  const wire = wireMessages(events).filter((event) => event.index < before);
  const newLeader = lastOf(
    wire,
    (event) => event.value.type === "NEWLEADER" && event.value.receiver === server,
  );
  return { wire, newLeader };
}

/** The PROPOSAL of `zxid` that reached `server` on NEWLEADER's connection before it. */
function proposalBefore(
  wire: readonly WireEvent[],
  newLeader: WireEvent,
  server: number,
  zxid: string,
): WireEvent | undefined {
  return lastOf(
    wire,
    (event) =>
      event.index < newLeader.index &&
      event.value.type === "PROPOSAL" &&
      event.value.receiver === server &&
      event.value.zxid === zxid &&
      sameConnection(event, newLeader),
  );
}

/** The sync before `before` in which `server` was sent NEWLEADER; undefined when the history has no wire. */
export function syncOnWire(
  events: readonly HistoryEvent[],
  server: number,
  before: number,
  missing: bigint,
): SyncOnWire | undefined {
  const { wire, newLeader } = lastNewLeader(events, server, before);
  if (newLeader === undefined || newLeader.value.zxid === undefined) return undefined;
  const ack = wire.find(
    (event) =>
      event.index > newLeader.index &&
      event.value.type === "ACK" &&
      event.value.sender === server &&
      event.value.zxid === newLeader.value.zxid &&
      sameConnection(event, newLeader),
  );
  const wanted = formatZxid(missing);
  const proposal = proposalBefore(wire, newLeader, server, wanted);
  return {
    newLeader: newLeader.index,
    epochZxid: newLeader.value.zxid,
    ...(ack ? { ack: ack.index } : {}),
    ...(proposal ? { proposal: proposal.index } : {}),
  };
}

/** The sync in words, for an anomaly's message. */
export function syncOnWireText(sync: SyncOnWire, missing: bigint): string {
  const parts = [
    sync.proposal !== undefined
      ? `received the PROPOSAL of ${formatZxid(missing)} (event ${sync.proposal})`
      : undefined,
    `took epoch ${sync.epochZxid} on NEWLEADER (event ${sync.newLeader})`,
    sync.ack !== undefined ? `ACKed it (event ${sync.ack})` : undefined,
  ].filter((part) => part !== undefined);
  return `on the wire it ${parts.join(", ")}`;
}

/** The events of a sync's proof. */
export function syncOnWireEvents(sync: SyncOnWire | undefined): number[] {
  if (sync === undefined) return [];
  return [sync.proposal, sync.newLeader, sync.ack].filter(
    (index): index is number => index !== undefined,
  );
}

/** A COMMIT that reached a syncing learner between NEWLEADER and UPTODATE, with its PROPOSAL. */
export interface CommitInSync {
  readonly newLeader: number;
  readonly commit: number;
  readonly zxid: string;
  /** The PROPOSAL of the committed write, when it came before NEWLEADER. */
  readonly proposal?: number;
}

/** In `server`'s last sync before `before`: a COMMIT it received after NEWLEADER and before UPTODATE. */
export function commitInSync(
  events: readonly HistoryEvent[],
  server: number,
  before: number,
): CommitInSync | undefined {
  const { wire, newLeader } = lastNewLeader(events, server, before);
  if (newLeader === undefined) return undefined;
  const after = wire.filter(
    (event) =>
      event.index > newLeader.index &&
      event.value.receiver === server &&
      sameConnection(event, newLeader),
  );
  const uptodate = after.find((event) => event.value.type === "UPTODATE")?.index ?? before;
  const commit = after.find((event) => event.value.type === "COMMIT" && event.index < uptodate);
  if (commit === undefined || commit.value.zxid === undefined) return undefined;
  const proposal = proposalBefore(wire, newLeader, server, commit.value.zxid);
  return {
    newLeader: newLeader.index,
    commit: commit.index,
    zxid: commit.value.zxid,
    ...(proposal ? { proposal: proposal.index } : {}),
  };
}

/** A commit in sync in words, for an anomaly's message. */
export function commitInSyncText(found: CommitInSync): string {
  return `on the wire it received NEWLEADER (event ${found.newLeader}), then the COMMIT of ${found.zxid} (event ${found.commit}) before any UPTODATE${found.proposal !== undefined ? `; that write's PROPOSAL had come before NEWLEADER (event ${found.proposal})` : ""}`;
}
