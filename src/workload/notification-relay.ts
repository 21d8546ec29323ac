import type { WatchNotification } from "./zk-session.js";

/**
 * A deliberately broken client, for proving the watch checker: it drops the
 * (after+1)-th data-change notification, or holds it and hands it on after
 * the next notification (two delivered out of order).
 */
export interface NotificationFault {
  readonly kind: "drop" | "swap";
  /** Data-change notifications passed on untouched before the broken one. */
  readonly after: number;
}

type Deliver = (notification: WatchNotification, session: string) => void;

/** Passes notifications on in wire order, unless a fault says otherwise. */
export class NotificationRelay {
  private dataChanges = 0;
  private held: [WatchNotification, string] | undefined;

  constructor(
    private readonly fault: NotificationFault | undefined,
    private readonly deliver: Deliver,
  ) {}

  /** Takes one notification off the wire. */
  receive(notification: WatchNotification, session: string): void {
    const dataChange = notification.type === "NodeDataChanged";
    if (this.fault !== undefined && dataChange && this.dataChanges++ === this.fault.after) {
      if (this.fault.kind === "swap") this.held = [notification, session];
      return;
    }
    this.deliver(notification, session);
    if (dataChange) this.flush();
  }

  /** Hands on a held notification (after the next data change, or when the agent stops). */
  flush(): void {
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) this.deliver(...held);
  }
}
