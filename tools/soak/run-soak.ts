// One soak: start the runtime's server (or use a running one), run the mixed load for the warm-up
// and the duration, sample the server's resident memory, stop everything, judge the outcome.
import { memoryOf } from '../bench/memory.ts';
import { request } from '../harness/http-client.ts';
import type { RuntimeUnderTest } from '../harness/runtimes.ts';
import { isAlive, type ServerProcess } from '../harness/server-process.ts';
import { startRuntime } from '../harness/start-runtime.ts';
import { judgeGrowth, type GrowthVerdict, type MemorySample } from './growth.ts';
import { startLoad, type Tally } from './load.ts';
import { mixFor } from './mix.ts';

export interface SoakTarget {
  /** A runtime of the matrix: the soak starts its server and measures its process tree. */
  runtime?: RuntimeUnderTest;
  /** Or a server someone else started… */
  url?: string;
  /** …whose memory is measured only if its pid is given. */
  pid?: number;
}

export interface SoakSettings {
  durationS: number;
  warmupS: number;
  concurrency: number;
  /** Processes serving the port (runtimes with --workers); memory is the whole tree's. */
  workers: number;
  /**
   * Most pool threads. Small by default so that the pool is at full size after the warm-up and
   * stays there: a thread costs 10 to 20 MiB of RSS (measured on Node), and a pool that grows to a
   * new peak or shrinks after 10 s idle moves RSS by more than a leak would in a minute.
   */
  poolThreads: number;
  /** Seconds between memory samples. */
  sampleEveryS: number;
  /** A request not answered within this is an error. */
  requestTimeoutMs: number;
}

export interface SoakResult {
  target: string;
  /** The server's pid: the one the soak started, or --pid. */
  pid?: number;
  settings: SoakSettings;
  /** Seconds the load ran, warm-up included. */
  loadS: number;
  tally: Tally;
  requestsPerS: number;
  /** Whether a 503 `overloaded` is an error: yes on a server the soak configured so that it cannot shed. */
  overloadedIsError: boolean;
  memory: { samples: MemorySample[]; verdict: GrowthVerdict } | { skipped: string };
  /** Why the soak failed; empty when it passed. */
  failures: string[];
}

export const DEFAULT_SETTINGS: SoakSettings = {
  durationS: 60,
  warmupS: 5,
  concurrency: 16,
  workers: 1,
  poolThreads: 2,
  sampleEveryS: 1,
  requestTimeoutMs: 10_000,
};

const seconds = (s: number) => new Promise((resolve) => setTimeout(resolve, s * 1000));

export async function soak(
  target: SoakTarget,
  settings: SoakSettings,
  progress: (text: string) => void = () => {},
): Promise<SoakResult> {
  let server: ServerProcess | undefined;
  let url: string;
  let pid: number | undefined;
  let hasPool: boolean;
  if (target.runtime) {
    const { runtime } = target;
    progress('starting the server');
    // Logs off: a line per request would make the soak measure the logger and the harness's buffer.
    // A queue of `concurrency` holds every pool request the clients can have in flight, and load
    // shedding on loop lag is off by default: this server has no reason to answer 503, so here a
    // 503 is an error.
    const started = await startRuntime(runtime, {
      log: 'off',
      ...(runtime.hasWorkers && settings.workers > 1 ? { workers: settings.workers } : {}),
      ...(runtime.hasPool ? { poolThreads: settings.poolThreads, maxQueue: settings.concurrency } : {}),
    });
    server = started.process;
    url = started.url;
    pid = server.pid;
    hasPool = runtime.hasPool;
  } else if (target.url) {
    url = target.url;
    pid = target.pid;
    // Someone else's server: ask it which modes it has, so the mix sends pool requests only where they are valid.
    const info = (await request(`${url}/info`)).json as { modes?: string[] } | undefined;
    hasPool = info?.modes?.includes('pool') ?? false;
  } else {
    throw new Error('soak needs a runtime or a url');
  }

  try {
    const load = startLoad({
      url,
      kinds: mixFor(hasPool),
      concurrency: settings.concurrency,
      timeoutMs: settings.requestTimeoutMs,
    });
    const startedAt = performance.now();
    const samples: MemorySample[] = [];
    try {
      progress(`warming up for ${settings.warmupS} s`);
      await seconds(settings.warmupS);
      const baselineAt = performance.now();
      const sample = () => {
        if (pid !== undefined)
          samples.push({ atS: (performance.now() - baselineAt) / 1000, rssBytes: memoryOf(pid).rssBytes });
      };
      sample();
      const steps = Math.max(1, Math.round(settings.durationS / settings.sampleEveryS));
      for (let i = 1; i <= steps; i++) {
        // Paced by the clock so that the samples stay evenly spaced whatever a sample costs.
        await seconds((baselineAt + (i * settings.durationS * 1000) / steps - performance.now()) / 1000);
        sample();
        // A line every 10 s is enough to see that it runs.
        if (
          i === steps ||
          Math.floor((i * settings.durationS) / steps / 10) > Math.floor(((i - 1) * settings.durationS) / steps / 10)
        )
          progress(
            `${Math.round((performance.now() - baselineAt) / 1000)}/${settings.durationS} s: ${load.tally.requests} requests, ${load.tally.errorCount} errors`,
          );
      }
    } finally {
      await load.stop();
    }
    const loadS = (performance.now() - startedAt) / 1000;
    const { tally } = load;
    const overloadedIsError = server !== undefined;
    const failures: string[] = [];
    if (tally.errorCount > 0)
      failures.push(
        `${tally.errorCount} errors: ${Object.entries(tally.errors)
          .map(([k, n]) => `${k} ×${n}`)
          .join(', ')}`,
      );
    if (overloadedIsError && tally.overloaded > 0)
      failures.push(`${tally.overloaded} answers 503 overloaded from a server configured not to shed`);
    if (server && !server.isRunning) failures.push(`the server exited during the soak; output:\n${server.tail()}`);
    let memory: SoakResult['memory'];
    if (pid === undefined) memory = { skipped: 'a server given by --url without --pid: its memory is not measured' };
    else if (!isAlive(pid)) memory = { skipped: `process ${pid} is gone` };
    else {
      const verdict = judgeGrowth(samples);
      memory = { samples, verdict };
      if (!verdict.bounded) failures.push(`unbounded memory growth: ${verdict.reason}`);
    }
    return {
      target: target.runtime?.name ?? url,
      ...(pid !== undefined ? { pid } : {}),
      settings,
      loadS,
      tally,
      requestsPerS: tally.requests / loadS,
      overloadedIsError,
      memory,
      failures,
    };
  } finally {
    await server?.stop();
  }
}
