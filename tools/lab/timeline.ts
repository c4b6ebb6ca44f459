// Where each request's bar goes on a timeline: the same layout for the terminal (columns) and the
// HTML report (pixels). Pure.
import type { CombinationRun } from './results.ts';
import { workerLabel } from './stats.ts';

export interface TimelineRow {
  index: number;
  /** Work start and end, ms after the requests were fired; absent for a failed request. */
  startMs?: number;
  endMs?: number;
  /** When its answer arrived, ms after firing. */
  answeredMs: number;
  worker: string;
  workerId?: number | string;
  threadId?: number;
  error?: string;
}

export interface Timeline {
  /** The axis runs from 0 to spanMs. */
  spanMs: number;
  rows: TimelineRow[];
  /** Distinct worker ids in order of first appearance: one colour each. */
  workers: (number | string)[];
  ticks: number[];
}

/** Rows in order of work start (failed requests last), relative to when the requests were fired. */
export function layoutTimeline(run: CombinationRun): Timeline {
  const rows: TimelineRow[] = run.requests.map((r) => ({
    index: r.index,
    ...(r.startTime !== undefined ? { startMs: r.startTime - run.firedAt } : {}),
    ...(r.endTime !== undefined ? { endMs: r.endTime - run.firedAt } : {}),
    answeredMs: r.receivedAt - run.firedAt,
    worker: workerLabel(r.workerId, r.threadId),
    ...(r.workerId !== undefined ? { workerId: r.workerId } : {}),
    ...(r.threadId !== undefined ? { threadId: r.threadId } : {}),
    ...(r.error !== undefined ? { error: r.error } : {}),
  }));
  rows.sort(
    (a, b) => (a.startMs ?? Number.POSITIVE_INFINITY) - (b.startMs ?? Number.POSITIVE_INFINITY) || a.index - b.index,
  );
  const spanMs = Math.max(1, ...rows.map((r) => Math.max(r.answeredMs, r.endMs ?? 0)));
  const workers: (number | string)[] = [];
  for (const row of rows) if (row.workerId !== undefined && !workers.includes(row.workerId)) workers.push(row.workerId);
  return { spanMs, rows, workers, ticks: niceTicks(spanMs) };
}

/** Round tick values (1, 2 or 5 × a power of ten) from 0 up to `spanMs`, about `count` of them. */
export function niceTicks(spanMs: number, count = 5): number[] {
  if (!(spanMs > 0)) return [0];
  const rough = spanMs / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t <= spanMs + 1e-9; t += step) ticks.push(Math.round(t * 1e6) / 1e6);
  return ticks;
}

/** The columns [from, to) of a bar from startMs to endMs on an axis of `width` columns; at least one column wide. */
export function barColumns(startMs: number, endMs: number, spanMs: number, width: number): [number, number] {
  const scale = width / spanMs;
  const from = Math.min(width - 1, Math.max(0, Math.floor(startMs * scale)));
  const to = Math.min(width, Math.max(from + 1, Math.round(endMs * scale)));
  return [from, to];
}
