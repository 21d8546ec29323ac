/**
 * A supervisor, as the seed guide recommends (Exhibitor) and as systemd's
 * Restart= does: any server whose process is gone (killed, crashed, stopped)
 * for `restartAfterMs` is started again, whether or not a fault put it down.
 * A paused (SIGSTOPped) JVM looks alive to a process supervisor and is left alone.
 */
import type { EnsembleServer } from "../ensemble/ensemble.js";

/** What the supervisor needs: the servers, and where to report a restart. */
export interface SupervisorOptions {
  readonly servers: () => readonly EnsembleServer[];
  /** How long a server stays down before it is restarted (ms). */
  readonly restartAfterMs: number;
  /** How often the processes are looked at (ms, default 100). */
  readonly pollMs?: number;
  /** Called once a server is running again, with how long it was down. */
  readonly onRestart: (server: number, downMs: number) => void;
  /** Called when a restart fails (the next poll tries again). */
  readonly onError?: (server: number, error: Error) => void;
}

/** Restarts servers that stay down; stop() ends it (and waits for a restart in flight). */
export class Supervisor {
  private readonly downSince = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: SupervisorOptions) {
    this.timer = setInterval(() => this.poll(), options.pollMs ?? 100);
    // It watches; it never keeps the harness alive on its own.
    this.timer.unref();
  }

  /**
   * Runs `act` (which may start servers) between the supervisor's restarts,
   * never beside one: a server is never started twice at once.
   */
  exclusive<T>(act: () => Promise<T>): Promise<T> {
    const result = this.inFlight.then(act);
    this.inFlight = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Stops watching; resolves once a restart it began has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.inFlight;
  }

  private poll(): void {
    const now = performance.now();
    for (const server of this.options.servers()) {
      if (server.processState !== "stopped") {
        this.downSince.delete(server.id);
        continue;
      }
      const since = this.downSince.get(server.id) ?? now;
      this.downSince.set(server.id, since);
      if (now - since < this.options.restartAfterMs) continue;
      this.downSince.delete(server.id);
      this.inFlight = this.inFlight.then(() => this.restart(server, now - since));
    }
  }

  private async restart(server: EnsembleServer, downMs: number): Promise<void> {
    if (this.stopped || server.processState !== "stopped") return;
    try {
      await server.restart();
      this.options.onRestart(server.id, downMs);
    } catch (error) {
      this.options.onError?.(server.id, error as Error);
    }
  }
}
