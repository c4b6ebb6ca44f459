// Each benchmark figure: a ratio or count measured within one run, so that it holds on a noisy machine.
import { setTimeout as wait } from 'node:timers/promises';
import { fire } from '../lab/fire.ts';
import { post } from '../harness/http-client.ts';
import type { RuntimeUnderTest } from '../harness/runtimes.ts';
import { startRuntime, type StartedServer } from '../harness/start-runtime.ts';
import { summarise } from '../lab/stats.ts';
import type { Mode } from '../../src/runtime.ts';
import { DEFAULT_POOL_THREADS } from '../../src/config.ts';
import { startBareServer } from './bare-servers.ts';
import { memoryOf, type Memory } from './memory.ts';
import { fireMany, type ScaleResult } from './scale.ts';
import { measureThroughput, median, type Throughput } from './throughput.ts';

export interface Plan {
  /** Seconds of autocannon load a measurement. */
  durationS: number;
  /** Alternating rounds of A and B, so that drift in the machine's speed hits both alike. */
  rounds: number;
  scaleRequests: number;
  /** ms of each of the 10 requests of the makespan figures: 1000 as in the lab, less when quick. */
  makespanTaskMs: number;
  cores: number;
}

/** Benchmark servers do not log: a log line a request would be what we measure. */
const start = (runtime: RuntimeUnderTest, settings: Parameters<typeof startRuntime>[1] = {}) => startRuntime(runtime, { log: 'off', ...settings });

async function withServer<T>(server: { process: { stop(): Promise<unknown> } }, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await server.process.stop();
  }
}

export interface Comparison {
  a: Throughput[];
  b: Throughput[];
  /** median requests/s of A ÷ median of B. */
  ratio: number;
}

const WARM_UP_S = 1;

async function compare(plan: Plan, a: (durationS: number) => Promise<Throughput>, b: (durationS: number) => Promise<Throughput>): Promise<Comparison> {
  // A short load on each first, unrecorded: JIT compilation and pool threads starting are one-time costs.
  await a(WARM_UP_S);
  await b(WARM_UP_S);
  const runsA: Throughput[] = [];
  const runsB: Throughput[] = [];
  for (let round = 0; round < plan.rounds; round++) {
    runsA.push(await a(plan.durationS));
    runsB.push(await b(plan.durationS));
  }
  return { a: runsA, b: runsB, ratio: median(runsA.map((r) => r.requestsPerSecond)) / median(runsB.map((r) => r.requestsPerSecond)) };
}

/** GET / of the app against the runtime's bare server, both running during the run. */
export async function helloThroughput(runtime: RuntimeUnderTest, plan: Plan): Promise<Comparison | undefined> {
  const ours = await start(runtime);
  return withServer(ours, async () => {
    const bare = await startBareServer(runtime.name);
    if (!bare) return undefined;
    return withServer(bare, () =>
      compare(
        plan,
        (durationS) => measureThroughput(`${ours.url}/`, { durationS }),
        (durationS) => measureThroughput(`${bare.url}/`, { durationS }),
      ),
    );
  });
}

/**
 * Brings the pool to its full size before it is measured: a cold pool starts its threads under the
 * load, and on Node a thread (a whole V8 isolate) costs tens of ms of CPU to start, 40 of them
 * seconds on two cores. That start-up is a one-time cost, not the pool's overhead a request.
 */
async function growPool(url: string, threads: number): Promise<void> {
  await Promise.all(Array.from({ length: threads }, () => post(`${url}/delay?mode=pool&ms=${POOL_GROWTH_TASK_MS}`)));
}
/** Long enough that every task is still running when the last thread has started. */
const POOL_GROWTH_TASK_MS = 500;

/** POST /delay?ms=0 in pool mode against async mode, on one server; `poolThreads` undefined = the default. */
export async function poolOverhead(runtime: RuntimeUnderTest, plan: Plan, poolThreads?: number): Promise<Comparison> {
  const server = await start(runtime, poolThreads ? { poolThreads } : {});
  return withServer(server, async () => {
    await growPool(server.url, poolThreads ?? DEFAULT_POOL_THREADS);
    return compare(
      plan,
      (durationS) => measureThroughput(`${server.url}/delay?ms=0&mode=pool`, { method: 'POST', durationS }),
      (durationS) => measureThroughput(`${server.url}/delay?ms=0&mode=async`, { method: 'POST', durationS }),
    );
  });
}

export interface MakespanFigure {
  mode: Mode;
  workers: number;
  makespanMs: number;
  idealMs: number;
  efficiency: number;
  p99HealthMs: number;
  worstHealthMs: number;
}

/** The lab's experiment, n=10 requests of plan.makespanTaskMs, for one mode and process count. */
export async function makespan(runtime: RuntimeUnderTest, mode: Mode, workers: number, plan: Plan): Promise<MakespanFigure> {
  const server: StartedServer = await start(runtime, { workers });
  return withServer(server, async () => {
    const run = await fire({ url: server.url, runtime: runtime.name, mode, work: 'sleep', workers, n: 10, ms: plan.makespanTaskMs });
    const s = summarise(run, plan.cores);
    return { mode, workers, makespanMs: s.makespanMs, idealMs: s.idealMs, efficiency: s.efficiency, p99HealthMs: s.p99HealthMs, worstHealthMs: s.worstHealthMs };
  });
}

export async function scale(runtime: RuntimeUnderTest, plan: Plan): Promise<ScaleResult> {
  const server = await start(runtime);
  return withServer(server, () => fireMany(server.url, plan.scaleRequests, 1000));
}

export interface MemoryFigure {
  idle: Memory;
  /** The most seen while every pool thread had a task. */
  poolFull: Memory;
  poolThreads: number;
}

const RSS_SAMPLE_EVERY_MS = 50;

export async function memory(runtime: RuntimeUnderTest, poolThreads: number, taskMs: number): Promise<MemoryFigure> {
  const server = await start(runtime, { poolThreads });
  return withServer(server, async () => {
    const idle = memoryOf(server.process.pid);
    let peak = idle;
    let running = true;
    const tasks = Promise.all(Array.from({ length: poolThreads }, () => post(`${server.url}/delay?mode=pool&ms=${taskMs}`))).finally(() => (running = false));
    // Sampled while the tasks run: the pool grows to its full size on demand.
    while (running) {
      const now = memoryOf(server.process.pid);
      if (now.rssBytes > peak.rssBytes) peak = now;
      await Promise.race([tasks, wait(RSS_SAMPLE_EVERY_MS)]);
    }
    const answers = await tasks;
    const failed = answers.filter((a) => a.status !== 200).length;
    if (failed) throw new Error(`${failed} of ${poolThreads} pool tasks failed while measuring memory`);
    return { idle, poolFull: peak, poolThreads };
  });
}
