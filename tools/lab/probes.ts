// How the lab probes GET /health while its requests run, and when a probe counts as slow: shared by
// the terminal lab (fire.ts, render-terminal.ts) and the live page (web/lab/), so pure.

/** A new probe this often (one at a time: a blocked loop shows as one long probe). */
export const HEALTH_PROBE_INTERVAL_MS = 20;

/** A /health probe slower than this means the event loop was busy when it arrived. */
export const SLOW_HEALTH_MS = 50;

/**
 * Whether a probe shows a busy loop: answered slowly, or failed. A probe the end of the run cut off
 * shows one only if it had already waited SLOW_HEALTH_MS: cut off sooner, it says nothing either way.
 */
export function probeWasSlow(probe: { latencyMs: number; ok: boolean; cutOff?: boolean }): boolean {
  return probe.latencyMs >= SLOW_HEALTH_MS || (!probe.ok && probe.cutOff !== true);
}
