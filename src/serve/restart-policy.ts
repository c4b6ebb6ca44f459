// When a supervisor restarts a process that died, and when it gives up: shared by node:cluster's
// primary and the SO_REUSEPORT supervisor of Bun and Deno.

/** A process that listened and ran this long before dying was healthy: its crash does not count towards giving up. */
export const STABLE_UPTIME_MS = 5_000;
/** Consecutive failed starts after which the supervisor gives up and exits non-zero. */
export const MAX_START_ATTEMPTS = 5;
const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;

export type RestartDecision = { giveUp: true; failedStarts: number } | { giveUp: false; delayMs: number };

export class RestartPolicy {
  #failedStarts = 0;

  /**
   * Called when a process died. A healthy one is restarted at once; one that died soon after
   * starting counts as a failed start, and is restarted with exponential backoff, so that a process
   * that cannot start does not spin the CPU, until MAX_START_ATTEMPTS in a row: then give up.
   */
  onExit(uptimeMs: number, listened: boolean): RestartDecision {
    this.#failedStarts = listened && uptimeMs >= STABLE_UPTIME_MS ? 0 : this.#failedStarts + 1;
    if (this.#failedStarts >= MAX_START_ATTEMPTS) return { giveUp: true, failedStarts: this.#failedStarts };
    const delayMs =
      this.#failedStarts === 0
        ? 0
        : Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (this.#failedStarts - 1));
    return { giveUp: false, delayMs };
  }
}
