// Many concurrent async requests on one process: does the event loop keep them all waiting at once?
import { request } from '../harness/http-client.ts';
import { parseTimestamp } from '../../src/timestamp.ts';

export interface ScaleResult {
  requests: number;
  ms: number;
  makespanMs: number;
  ok: number;
  errors: number;
  /** The first few distinct error messages, to say what failed. */
  errorKinds: string[];
  /** Most requests whose work intervals overlapped at one instant: were they really waiting together? */
  maxOverlap: number;
  /** From the first work start to the last: how long it took for every request to reach the server. */
  startSpreadMs: number;
}

/**
 * A request's patience: generous for a burst that must first get through the listen backlog, but
 * bounded: under wrangler dev some connections of a 10,000 burst were never answered (seen here).
 */
const REQUEST_TIMEOUT_MS = 60_000;

/** Fires `count` POST /delay?mode=async requests at once, each on its own connection. */
export async function fireMany(url: string, count: number, ms: number): Promise<ScaleResult> {
  const firedAt = Date.now();
  const outcomes = await Promise.all(
    Array.from({ length: count }, () =>
      request(`${url}/delay?mode=async&ms=${ms}`, { method: 'POST', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + ms) }).then(
        (response) => {
          if (response.status !== 200) return `HTTP ${response.status}`;
          const body = response.json as { start_time: string; end_time: string };
          return { start: parseTimestamp(body.start_time), end: parseTimestamp(body.end_time) };
        },
        (error: Error & { code?: string }) => (error.name === 'TimeoutError' || error.code === 'ABORT_ERR' ? 'timeout' : (error.code ?? error.message)),
      ),
    ),
  );
  const makespanMs = Date.now() - firedAt;
  const failures = outcomes.filter((o): o is string => typeof o === 'string');
  const intervals = outcomes.filter((o): o is { start: number; end: number } => typeof o !== 'string');
  const starts = intervals.map((i) => i.start);
  return {
    requests: count,
    ms,
    makespanMs,
    ok: intervals.length,
    errors: failures.length,
    errorKinds: [...new Set(failures)].slice(0, 5),
    maxOverlap: maxOverlap(intervals),
    startSpreadMs: starts.length ? Math.max(...starts) - Math.min(...starts) : 0,
  };
}

/** The most intervals open at one instant (a sweep over sorted start and end events). */
export function maxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const events = intervals.flatMap((i) => [
    { at: i.start, delta: 1 },
    { at: i.end, delta: -1 },
  ]);
  // At equal times an end comes first: touching intervals do not overlap.
  events.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let most = 0;
  for (const event of events) {
    open += event.delta;
    most = Math.max(most, open);
  }
  return most;
}
