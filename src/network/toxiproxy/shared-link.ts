/**
 * A bottleneck link that many proxied streams cross together (zk-chaos's
 * `shared_link` toxic): one rate, one queue. Bytes leave in the order they
 * were queued; a queue longer than the link's buffer holds its senders back,
 * as a full switch queue makes TCP senders back off. A bulk flow that keeps
 * the queue full thus adds about the buffer's delay to everything else on
 * the link, and takes its share of the rate: a saturated shared network.
 */

/** When bytes queued now on a link idle at `nextFree` leave it, at `bytesPerMs`. */
export function departure(
  nextFree: number,
  now: number,
  bytes: number,
  bytesPerMs: number,
): number {
  return Math.max(now, nextFree) + bytes / bytesPerMs;
}

/** When a sender may queue on a link idle at `nextFree` whose queue holds `bufferMs`. */
export function roomAt(nextFree: number, bufferMs: number): number {
  return nextFree - bufferMs;
}

/** One shared link's state: when it is idle again, who waits for room, what it carried. */
export class SharedLink {
  private nextFree = 0;
  private readonly waiting: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private bytes = 0;

  /** Bytes that crossed (or are queued on) the link since it was made. */
  get carried(): number {
    return this.bytes;
  }

  /**
   * Queues `bytes` once there is room (first come, first served), at
   * `bytesPerMs` with a queue of `bufferMs`; resolves with the time
   * (performance.now()) they have crossed.
   */
  async cross(bytes: number, bytesPerMs: number, bufferMs: number): Promise<number> {
    if (this.waiting.length > 0 || performance.now() < roomAt(this.nextFree, bufferMs))
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.arm(bufferMs);
      });
    this.nextFree = departure(this.nextFree, performance.now(), bytes, bytesPerMs);
    this.bytes += bytes;
    // The next in line gets room once this one's bytes have moved up the queue.
    if (this.waiting.length > 0) this.arm(bufferMs);
    return this.nextFree;
  }

  /** Wakes the first waiter when the queue has room for it. */
  private arm(bufferMs: number): void {
    if (this.timer !== undefined) return;
    const wait = Math.max(0, roomAt(this.nextFree, bufferMs) - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.waiting.shift()?.();
    }, wait);
  }
}

/** The shared links of one Toxiproxy server, by name. */
export class SharedLinks {
  private readonly links = new Map<string, SharedLink>();

  /** The link of this name (made on first use). */
  get(name: string): SharedLink {
    let link = this.links.get(name);
    if (link === undefined) {
      link = new SharedLink();
      this.links.set(name, link);
    }
    return link;
  }
}
