// Many concurrent async requests on one process: does the event loop keep them all waiting at once?
// With wrk: 10,000 kept-alive connections sending POST /delay?ms=1000&mode=async back to back. Without
// it: 10,000 requests fired at once, each on its own connection, from this process.
import { request } from '../harness/http-client.ts';
import { openFileLimit } from '../harness/server-process.ts';
import { maxConcurrent, percentile } from '../lab/stats.ts';
import { parseTimestamp } from '../../src/timestamp.ts';
import { runWrk } from './load/wrk.ts';
import type { WrkResult } from './load/wrk-output.ts';
import { listenOverflowsNow, somaxconn } from './listen-queue.ts';

export interface WrkScaleOptions {
  connections: number;
  threads: number;
  durationS: number;
  taskMs: number;
}

/** wrk's figures for the scale load (its counts, percentiles and errors), and how the run was set up. */
export interface WrkScaleResult extends WrkScaleOptions, Omit<WrkResult, 'durationS' | 'source'> {
  /** A request slower than this would be left out of the latencies: longer than the run, so none is. */
  timeoutS: number;
  wrkFdLimit: number | undefined;
  serverFdLimit: number | undefined;
  /** wrk's CPU ÷ (wall × threads). */
  wrkCpuShare: number | undefined;
  /** Connections the kernel dropped on a full accept queue during the run (any listener on the machine), and the cap on that queue. */
  listenOverflows?: number | undefined;
  somaxconn?: number | undefined;
}

/** Room beyond one descriptor a connection: listening sockets, pipes, libraries' own files. */
export const FD_HEADROOM = 1_000;

export async function wrkScale(
  wrk: string,
  url: string,
  serverPid: number,
  options: WrkScaleOptions,
): Promise<WrkScaleResult> {
  const timeoutS = options.durationS + 2;
  const overflowsBefore = listenOverflowsNow();
  const run = await runWrk(wrk, {
    url: `${url}/delay?ms=${options.taskMs}&mode=async`,
    method: 'POST',
    threads: options.threads,
    connections: options.connections,
    durationS: options.durationS,
    timeoutS,
    fdLimit: 65_536,
  });
  const r = run.result;
  const overflowsAfter = listenOverflowsNow();
  return {
    ...options,
    requests: r.requests,
    requestsPerSecond: r.requestsPerSecond,
    p50Ms: r.p50Ms,
    p90Ms: r.p90Ms,
    p99Ms: r.p99Ms,
    maxMs: r.maxMs,
    errors: r.errors,
    non2xx: r.non2xx,
    timeoutS,
    wrkFdLimit: run.fdLimit,
    serverFdLimit: openFileLimit(serverPid),
    wrkCpuShare: run.cpuS === undefined ? undefined : run.cpuS / (run.wallS * options.threads),
    listenOverflows:
      overflowsBefore === undefined || overflowsAfter === undefined ? undefined : overflowsAfter - overflowsBefore,
    somaxconn: somaxconn(),
  };
}

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
  /** Answered requests ÷ the makespan. */
  requestsPerSecond: number;
  /** Latency of the answered requests, from firing them all to each answer. */
  p50Ms: number | undefined;
  p99Ms: number | undefined;
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
      request(`${url}/delay?mode=async&ms=${ms}`, {
        method: 'POST',
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS + ms),
      }).then(
        (response) => {
          if (response.status !== 200) return `HTTP ${response.status}`;
          const body = response.json as { start_time: string; end_time: string };
          return {
            start: parseTimestamp(body.start_time),
            end: parseTimestamp(body.end_time),
            latencyMs: response.receivedAt - firedAt,
          };
        },
        (error: Error & { code?: string }) =>
          error.name === 'TimeoutError' || error.code === 'ABORT_ERR' ? 'timeout' : (error.code ?? error.message),
      ),
    ),
  );
  const makespanMs = Date.now() - firedAt;
  const failures = outcomes.filter((o): o is string => typeof o === 'string');
  const intervals = outcomes.filter(
    (o): o is { start: number; end: number; latencyMs: number } => typeof o !== 'string',
  );
  const starts = intervals.map((i) => i.start);
  const latencies = intervals.map((i) => i.latencyMs).sort((a, b) => a - b);
  return {
    requests: count,
    ms,
    makespanMs,
    ok: intervals.length,
    errors: failures.length,
    errorKinds: [...new Set(failures)].slice(0, 5),
    maxOverlap: maxConcurrent(intervals),
    startSpreadMs: starts.length ? Math.max(...starts) - Math.min(...starts) : 0,
    requestsPerSecond: intervals.length / (makespanMs / 1000),
    p50Ms: latencies.length ? percentile(latencies, 50) : undefined,
    p99Ms: latencies.length ? percentile(latencies, 99) : undefined,
  };
}
