// Summary figures of one lab run: makespan, latency percentiles, /health latency, load per worker.
import { efficiency, idealMakespanMs } from './ideal.ts';
import type { CombinationRun } from './results.ts';

/** The p-th percentile (0 to 100) by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface RunSummary {
  makespanMs: number;
  idealMs: number;
  efficiency: number;
  p50Ms: number;
  p99Ms: number;
  worstHealthMs: number;
  p99HealthMs: number;
  /** Answered requests per worker, "pid" or "pid/thread" in pool mode. */
  perWorker: Record<string, number>;
  ok: number;
  failed: number;
  /** The machine's CPU cores, which the ideal of CPU work counts. */
  cores: number;
}

export function workerLabel(workerId: number | string | undefined, threadId: number | undefined): string {
  if (workerId === undefined) return '?';
  return threadId ? `${workerId}/t${threadId}` : String(workerId);
}

export function summarise(run: CombinationRun, cores: number): RunSummary {
  const latencies = run.requests.map((r) => r.receivedAt - r.sentAt);
  const lastAnswer = Math.max(...run.requests.map((r) => r.receivedAt));
  const makespanMs = run.requests.length === 0 ? 0 : lastAnswer - run.firedAt;
  const idealMs = idealMakespanMs(run.n, run.ms, {
    mode: run.mode,
    work: run.work,
    processes: run.server.processes,
    poolThreads: run.server.poolThreads ?? 1,
    cores,
  });
  const perWorker: Record<string, number> = {};
  for (const r of run.requests) {
    if (r.status !== 200) continue;
    const key = String(r.workerId);
    perWorker[key] = (perWorker[key] ?? 0) + 1;
  }
  const healthLatencies = run.health.map((h) => h.latencyMs);
  const ok = run.requests.filter((r) => r.status === 200).length;
  return {
    makespanMs,
    idealMs,
    efficiency: efficiency(idealMs, makespanMs),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    worstHealthMs: healthLatencies.length ? Math.max(...healthLatencies) : Number.NaN,
    p99HealthMs: percentile(healthLatencies, 99),
    perWorker,
    ok,
    failed: run.requests.length - ok,
    cores,
  };
}

/** The most intervals that overlap at one instant (touching ends do not overlap). */
export function maxConcurrent(intervals: readonly { start: number; end: number }[]): number {
  // Ends sort before starts at the same instant, so that back-to-back work counts as one at a time.
  const points = intervals.flatMap(({ start, end }) => [
    { at: start, delta: 1 },
    { at: end, delta: -1 },
  ]);
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const point of points) {
    now += point.delta;
    most = Math.max(most, now);
  }
  return most;
}
