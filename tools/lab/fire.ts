// One lab experiment against a running server: n concurrent POST /delay requests, each on its own
// connection, while GET /health is probed every few ms to see whether the event loop still answers.
import { setTimeout as wait } from 'node:timers/promises';
import type { Mode } from '../../src/runtime.ts';
import { parseTimestamp } from '../../src/timestamp.ts';
import { request } from '../harness/http-client.ts';
import type { CombinationRun, HealthProbe, RequestRecord, ServerShape } from './results.ts';
import { HEALTH_PROBE_INTERVAL_MS } from './probes.ts';

export { HEALTH_PROBE_INTERVAL_MS };
const WARM_UP_MS = 50;

/** What to fire: the combination a CombinationRun records, at `url`. */
export interface FireOptions extends Pick<CombinationRun, 'runtime' | 'mode' | 'work' | 'workers' | 'n' | 'ms'> {
  url: string;
  /** Called as each request is answered, for progress output. */
  onAnswer?: (answered: number, n: number) => void;
}

interface InfoBody {
  runtime: string;
  version: string;
  modes: Mode[];
  pool: { max_threads: number } | null;
  processes: { count: number | null };
}

export async function readServerShape(url: string): Promise<ServerShape> {
  const response = await request(`${url}/info`);
  if (response.status !== 200)
    throw new Error(`GET ${url}/info answered ${response.status}: ${response.text.slice(0, 200)}`);
  const info = response.json as InfoBody;
  return {
    runtime: info.runtime,
    version: info.version,
    // Workers has no process count (the platform decides); locally it is one isolate.
    processes: info.processes.count ?? 1,
    poolThreads: info.pool?.max_threads ?? null,
    modes: info.modes,
  };
}

export async function fire(options: FireOptions, server?: ServerShape): Promise<CombinationRun> {
  const { url, n, ms, mode, work } = options;
  const shape = server ?? (await readServerShape(url));
  let answered = 0;
  const target = `${url}/delay?mode=${mode}&ms=${ms}&work=${work}`;
  // A warm-up round of short requests that overlap, so that the measured round does not pay for
  // starting pool threads (tinypool grows only while tasks wait) or compiling the handler: one-time
  // costs, not what the modes differ in.
  const warmUp = `${url}/delay?mode=${mode}&ms=${Math.min(ms, WARM_UP_MS)}&work=${work}`;
  await Promise.all(Array.from({ length: n }, (_, index) => delayRequest(warmUp, index)));
  const done = new AbortController();
  const firedAt = Date.now();
  const health = probeHealth(url, done.signal);
  const requests = await Promise.all(
    Array.from({ length: n }, async (_, index) => {
      const record = await delayRequest(target, index);
      options.onAnswer?.(++answered, n);
      return record;
    }),
  );
  done.abort();
  return {
    runtime: options.runtime,
    mode,
    work,
    workers: options.workers,
    n,
    ms,
    server: shape,
    firedAt,
    requests,
    health: await health,
  };
}

async function delayRequest(target: string, index: number): Promise<RequestRecord> {
  const sentAt = Date.now();
  try {
    const response = await request(target, { method: 'POST' });
    const body = response.json as Record<string, unknown> | undefined;
    if (response.status !== 200 || !body) {
      const error = typeof body?.message === 'string' ? body.message : response.text.slice(0, 200);
      return { index, sentAt, receivedAt: response.receivedAt, status: response.status, error };
    }
    return {
      index,
      sentAt,
      receivedAt: response.receivedAt,
      status: 200,
      startTime: parseTimestamp(String(body.start_time)),
      endTime: parseTimestamp(String(body.end_time)),
      workerId: body.worker_id as number | string,
      threadId: Number(body.thread_id),
    };
  } catch (error) {
    return { index, sentAt, receivedAt: Date.now(), status: 0, error: (error as Error).message };
  }
}

/** One probe at a time (a blocked loop shows as one long probe), started every interval until `stop`. */
async function probeHealth(url: string, stop: AbortSignal): Promise<HealthProbe[]> {
  const probes: HealthProbe[] = [];
  while (!stop.aborted) {
    const sentAt = Date.now();
    // A probe still waiting when the run ends is cut off there (and counts as unanswered): seen under
    // wrangler dev, a probe sent while the isolate was blocked was never answered at all.
    const ok = await request(`${url}/health`, { signal: stop }).then(
      (response) => response.status === 200,
      () => false,
    );
    probes.push({ sentAt, latencyMs: Date.now() - sentAt, ok, ...(!ok && stop.aborted ? { cutOff: true } : {}) });
    const pause = sentAt + HEALTH_PROBE_INTERVAL_MS - Date.now();
    if (pause > 0 && !stop.aborted) await wait(pause, undefined, { signal: stop }).catch(() => undefined);
  }
  return probes;
}
