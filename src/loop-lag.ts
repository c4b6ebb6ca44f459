// Event-loop lag, measured with a timer, which every runtime with a long-lived loop has.
// A tick that fires late tells how long the loop was held; a tick that has not fired yet tells the
// same thing, live: that is what makes shedding decide correctly for the requests that waited
// behind a blocking one.

export interface LoopLagMonitor {
  /** How far behind the loop is now, in ms: the last tick's lateness, or the overdue current tick. */
  lagMs(): number;
  /** The largest lag seen since the monitor started. */
  maxLagMs(): number;
  stop(): void;
}

/** Often enough to notice a stall quickly, rarely enough to cost nothing measurable. */
export const LAG_SAMPLE_INTERVAL_MS = 100;

export function createLoopLagMonitor(now: () => number, intervalMs = LAG_SAMPLE_INTERVAL_MS): LoopLagMonitor {
  let expectedAt = now() + intervalMs;
  let lastLag = 0;
  let maxLag = 0;
  const timer = setInterval(() => {
    const at = now();
    lastLag = Math.max(0, at - expectedAt);
    maxLag = Math.max(maxLag, lastLag);
    expectedAt = at + intervalMs;
  }, intervalMs);
  // Node and Bun: the monitor alone must not keep a process alive that is shutting down.
  (timer as { unref?: () => void }).unref?.();
  return {
    lagMs: () => Math.max(lastLag, now() - expectedAt),
    maxLagMs: () => maxLag,
    stop: () => clearInterval(timer),
  };
}
