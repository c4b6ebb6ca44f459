// Each benchmark figure, measured within one run so that it holds on a noisy machine: throughputs
// compared in alternating rounds, server CPU a request, and the 10,000-connection scale figure.
import type { BalanceMode } from '../../src/serve/balance.ts';
import { setTimeout as wait } from 'node:timers/promises';
import { fire } from '../lab/fire.ts';
import { post } from '../harness/http-client.ts';
import type { RuntimeUnderTest } from '../harness/runtimes.ts';
import { summarise } from '../lab/stats.ts';
import type { Mode } from '../../src/runtime.ts';
import { DEFAULT_POOL_THREADS } from '../../src/config.ts';
import { cpuPerRequest, type CpuPerRequest } from './cpu.ts';
import type { LoadGenerator, LoadResult } from './load/generator.ts';
import { memoryOf, type Memory } from './memory.ts';
import { failureSummary } from './report.ts';
import { findFastApiPython, startFastApi } from './peers/fastapi.ts';
import { fireMany, FD_HEADROOM, wrkScale, type ScaleResult, type WrkScaleResult } from './scale.ts';
import { startVariant, type BenchServer, type Variant } from './servers.ts';
import { median } from './throughput.ts';

export interface Plan {
  quick: boolean;
  /** Whole seconds of load a measurement (wrk reads no fractions). */
  durationS: number;
  /** Alternating rounds of each side, so that drift in the machine's speed hits all alike. */
  rounds: number;
  /** An unrecorded load on each side first: JIT compilation and pool threads starting are one-time costs. */
  warmUpS: number;
  /** Kept-alive connections of the throughput and CPU loads. */
  connections: number;
  /** The CPU figure's fixed request count: about cpuLoadS of the server's measured rate, within [cpuMinRequests, cpuMaxRequests]. */
  cpuLoadS: number;
  cpuMinRequests: number;
  cpuMaxRequests: number;
  /** The scale figure with wrk: connections, wrk threads, seconds, and ms each request waits. */
  scale: { connections: number; threads: number; durationS: number; taskMs: number };
  /** Without wrk: this many requests fired at once instead. */
  fireManyRequests: number;
  /** The makespan and memory figures, and the pool with a thread a core: the full run only. */
  extras: boolean;
  /** ms of each of the 10 requests of the makespan figures. */
  makespanTaskMs: number;
  cores: number;
}

export interface Series {
  runs: LoadResult[];
  /** Median requests a second over the rounds. */
  rps: number;
  /** Of the last round. */
  p99Ms: number | undefined;
  errors: number;
  non2xx: number;
  /** Median of the generator's CPU share over the rounds. */
  generatorCpuShare: number | undefined;
}

function series(runs: LoadResult[]): Series {
  const shares = runs.map((r) => r.generatorCpuShare).filter((s): s is number => s !== undefined);
  return {
    runs,
    rps: median(runs.map((r) => r.requestsPerSecond)),
    p99Ms: runs.at(-1)?.p99Ms,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    generatorCpuShare: shares.length ? median(shares) : undefined,
  };
}

type Measure = (durationS: number) => Promise<LoadResult>;

/** Warm-up on each, then `rounds` rounds of all of them in turn; a series for each. */
async function alternate<K extends string>(plan: Plan, measures: Record<K, Measure>): Promise<Record<K, Series>> {
  const keys = Object.keys(measures) as K[];
  for (const key of keys) await measures[key](plan.warmUpS);
  const runs = Object.fromEntries(keys.map((key) => [key, [] as LoadResult[]])) as Record<K, LoadResult[]>;
  for (let round = 0; round < plan.rounds; round++) {
    for (const key of keys) runs[key].push(await measures[key](plan.durationS));
  }
  return Object.fromEntries(keys.map((key) => [key, series(runs[key])])) as Record<K, Series>;
}

export interface PoolFigure {
  /** undefined: the default pool. */
  poolThreads: number | undefined;
  pool: Series;
  async: Series;
  /** Server CPU a request of each, on the same server right after (every thread of the process). */
  cpu?: { pool: CpuPerRequest; async: CpuPerRequest };
}

export type ScaleFigure = { kind: 'wrk'; result: WrkScaleResult } | { kind: 'fire-many'; result: ScaleResult };

export interface MakespanFigure {
  mode: Mode;
  workers: number;
  makespanMs: number;
  idealMs: number;
  efficiency: number;
  p99HealthMs: number;
  worstHealthMs: number;
}

/** GET / with --workers 2 under one --balance: throughput, and CPU a request of the supervisor and of its children. */
export interface BalanceFigure {
  balance: BalanceMode;
  get: Series;
  supervisorUsPerRequest: number;
  childrenUsPerRequest: number;
  requests: number;
}

export interface MemoryFigure {
  idle: Memory;
  /** The most seen while every pool thread had a task. */
  poolFull: Memory;
  poolThreads: number;
}

export type CpuKey = 'get' | 'async' | 'bare' | 'hono';

export interface RuntimeFigures {
  runtime: string;
  labels: Partial<Record<Variant, string>>;
  /** GET / of the app, its bare server and its one-route Hono app, and POST /delay?ms=0&mode=async. */
  throughput: Partial<Record<CpuKey, Series>>;
  pool: PoolFigure[];
  cpu: Partial<Record<CpuKey, CpuPerRequest>>;
  scale?: ScaleFigure;
  makespan: MakespanFigure[];
  /** --workers 2: least-busy, then the runtime's old way (Node round-robin, Bun and Deno kernel). */
  balance: BalanceFigure[];
  memory?: MemoryFigure;
  /** What failed in this runtime's section; the rest of the bench goes on. */
  failures: string[];
  seconds: number;
}

export interface PeerFigures {
  label: string;
  node: Series;
  fastapi: Series;
  /** Server CPU µs a request of FastAPI's POST /delay?ms=0. */
  cpu?: CpuPerRequest;
}

export type Peer = PeerFigures | { missing: string } | { failed: string };

const SERVER_FD_LIMIT = 65_536;

const GET = (server: BenchServer) => `${server.url}/`;
const ASYNC = (server: BenchServer) => `${server.url}/delay?ms=0&mode=async`;
const POOL = (server: BenchServer) => `${server.url}/delay?ms=0&mode=pool`;

/** Stops every server it was given, whatever happens in `body`. */
async function withServers<T>(servers: (BenchServer | undefined)[], body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await Promise.all(servers.map((s) => s?.process.stop()));
  }
}

/** Starts them together; if one fails, stops the others before throwing. */
async function startAll(starts: Promise<BenchServer | undefined>[]): Promise<(BenchServer | undefined)[]> {
  const settled = await Promise.allSettled(starts);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value?.process.stop() : undefined)));
    throw failed.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<BenchServer | undefined>).value);
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

/** The fixed request count of a CPU figure: about plan.cpuLoadS of load at the rate measured, in whole thousands. */
export function cpuRequestCount(
  plan: Pick<Plan, 'cpuLoadS' | 'cpuMinRequests' | 'cpuMaxRequests'>,
  rps: number,
): number {
  const wanted = Math.round((rps * plan.cpuLoadS) / 1000) * 1000;
  return Math.min(
    plan.cpuMaxRequests,
    Math.max(plan.cpuMinRequests, Number.isFinite(wanted) ? wanted : plan.cpuMinRequests),
  );
}

/** Processes for the balance figure: the issue's "--workers 2". */
const BALANCE_WORKERS = 2;

export interface Context {
  plan: Plan;
  generator: LoadGenerator;
  /** wrk's path when the scale figure can use it. */
  wrk: string | undefined;
  say: (text: string) => void;
}

export async function runtimeFigures(
  runtime: RuntimeUnderTest,
  ctx: Context,
  peer: { wanted: boolean; result?: Peer },
): Promise<RuntimeFigures> {
  const { plan, generator, say } = ctx;
  const startedAt = performance.now();
  const figures: RuntimeFigures = {
    runtime: runtime.name,
    labels: {},
    throughput: {},
    pool: [],
    cpu: {},
    makespan: [],
    balance: [],
    failures: [],
    seconds: 0,
  };
  const load = (url: string, method: 'GET' | 'POST') => (durationS: number) =>
    generator.throughput(url, { method, durationS, connections: plan.connections });
  const step = async (what: string, body: () => Promise<void>) => {
    say(`${runtime.name}: ${what}`);
    try {
      await body();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      figures.failures.push(`${what}: ${failureSummary(message)}`);
      say(`${runtime.name}: ${what} FAILED: ${message}`);
    }
  };

  await step('throughput, CPU a request, pool and scale', async () => {
    // As `ulimit -n 65536` would, or up to the hard limit if that is lower; the scale row reports
    // the limit the server got, and whether it is below the connections.
    const fdLimit = ctx.wrk ? Math.max(SERVER_FD_LIMIT, plan.scale.connections + FD_HEADROOM) : undefined;
    const [app, bare, hono] = await startAll([
      startVariant(runtime, 'app', fdLimit ? { fdLimit } : {}),
      startVariant(runtime, 'bare'),
      startVariant(runtime, 'hono'),
    ]);
    await withServers([app, bare, hono], async () => {
      if (!app) throw new Error('the app did not start');
      for (const server of [app, bare, hono]) if (server) figures.labels[server.variant] = server.label;

      const rounds = `${plan.rounds} × ${plan.durationS} s each after ${plan.warmUpS} s warm-up, alternating`;
      say(
        `${runtime.name}: GET / (app${bare ? ', bare' : ''}${hono ? ', one-route Hono' : ''}) and POST /delay?ms=0&mode=async (${rounds})`,
      );
      const measures: Partial<Record<CpuKey, Measure>> = {
        get: load(GET(app), 'GET'),
        async: load(ASYNC(app), 'POST'),
      };
      if (bare) measures.bare = load(GET(bare), 'GET');
      if (hono) measures.hono = load(GET(hono), 'GET');
      figures.throughput = await alternate(plan, measures as Record<CpuKey, Measure>);

      const targets: [CpuKey, BenchServer, string, 'GET' | 'POST'][] = [
        ['get', app, GET(app), 'GET'],
        ['async', app, ASYNC(app), 'POST'],
      ];
      if (bare) targets.push(['bare', bare, GET(bare), 'GET']);
      if (hono) targets.push(['hono', hono, GET(hono), 'GET']);
      for (const [key, server, url, method] of targets) {
        const requests = cpuRequestCount(plan, figures.throughput[key]?.rps ?? 0);
        say(
          `${runtime.name}: server CPU a request, ${method} ${url.replace(server.url, '')} on ${server.label} (${requests} requests)`,
        );
        figures.cpu[key] = await cpuPerRequest(server.process.pid, server.serving, () =>
          generator.fixedCount(url, { method, requests, connections: plan.connections }),
        );
      }
      await Promise.all([bare?.process.stop(), hono?.process.stop()]);

      if (runtime.name === 'node' && peer.wanted) peer.result = await fastApiPeer(app, ctx);

      if (runtime.hasPool) {
        say(
          `${runtime.name}: POST /delay?ms=0, pool against async (default pool of ${DEFAULT_POOL_THREADS}, grown first; ${rounds})`,
        );
        await growPool(app.url, DEFAULT_POOL_THREADS);
        const { pool, async } = await alternate(plan, {
          pool: load(POOL(app), 'POST'),
          async: load(ASYNC(app), 'POST'),
        });
        figures.pool.push({ poolThreads: undefined, pool, async, cpu: await poolCpu(runtime.name, app, pool, ctx) });
      }

      if (ctx.wrk) {
        const s = plan.scale;
        say(
          `${runtime.name}: scale, wrk -t${s.threads} -c${s.connections} -d${s.durationS}s POST /delay?ms=${s.taskMs}&mode=async`,
        );
        figures.scale = { kind: 'wrk', result: await wrkScale(ctx.wrk, app.url, app.process.pid, s) };
      } else {
        say(
          `${runtime.name}: scale, ${plan.fireManyRequests} POST /delay?ms=${plan.scale.taskMs}&mode=async fired at once (no wrk)`,
        );
        figures.scale = {
          kind: 'fire-many',
          result: await fireMany(app.url, plan.fireManyRequests, plan.scale.taskMs),
        };
      }
    });
  });

  if (runtime.hasWorkers) {
    // What the supervisor's balancer costs: GET / through it against the way each runtime balanced
    // before it (no bytes through the supervisor), alternating, and the supervisor's own CPU a request.
    const old: BalanceMode = runtime.name === 'node' ? 'round-robin' : 'kernel';
    await step(`--workers ${BALANCE_WORKERS} GET /: least-busy against ${old}`, async () => {
      const [balanced, oldWay] = await startAll([
        startVariant(runtime, 'app', { settings: { workers: BALANCE_WORKERS, balance: 'least-busy' } }),
        startVariant(runtime, 'app', { settings: { workers: BALANCE_WORKERS, balance: old } }),
      ]);
      await withServers([balanced, oldWay], async () => {
        if (!balanced || !oldWay) throw new Error('a --workers server did not start');
        const got: Partial<Record<BalanceMode, Series>> = await alternate(plan, {
          'least-busy': load(GET(balanced), 'GET'),
          [old]: load(GET(oldWay), 'GET'),
        });
        for (const [balance, server] of [
          ['least-busy', balanced],
          [old, oldWay],
        ] as const) {
          const series = got[balance]!;
          const requests = cpuRequestCount(plan, series.rps);
          // The supervisor alone (no `serving` pattern: the root pid); its children are the rest of the tree.
          const cpu = await cpuPerRequest(server.process.pid, undefined, () =>
            generator.fixedCount(GET(server), { method: 'GET', requests, connections: plan.connections }),
          );
          figures.balance.push({
            balance,
            get: series,
            supervisorUsPerRequest: cpu.usPerRequest,
            childrenUsPerRequest: cpu.wrapperUsPerRequest,
            requests: cpu.requests,
          });
        }
      });
    });
  }

  if (plan.extras && runtime.hasPool) {
    await step(`pool against async with a thread a core (--pool-threads ${plan.cores})`, async () => {
      const [app] = await startAll([startVariant(runtime, 'app', { settings: { poolThreads: plan.cores } })]);
      await withServers([app], async () => {
        await growPool(app!.url, plan.cores);
        const { pool, async } = await alternate(plan, {
          pool: load(POOL(app!), 'POST'),
          async: load(ASYNC(app!), 'POST'),
        });
        figures.pool.push({ poolThreads: plan.cores, pool, async, cpu: await poolCpu(runtime.name, app!, pool, ctx) });
      });
    });
  }

  if (plan.extras) {
    const modes: { mode: Mode; workers: number }[] = (
      runtime.hasPool ? (['blocking', 'async', 'pool'] as Mode[]) : (['blocking', 'async'] as Mode[])
    ).map((mode) => ({ mode, workers: 1 }));
    if (runtime.hasWorkers) modes.push({ mode: 'blocking', workers: 4 });
    for (const { mode, workers } of modes) {
      await step(
        `makespan of ${mode}${workers > 1 ? ` --workers ${workers}` : ''} (10 × ${plan.makespanTaskMs} ms)`,
        async () => {
          figures.makespan.push(await makespan(runtime, mode, workers, plan));
        },
      );
    }
    if (runtime.hasPool) {
      await step('memory (idle, then with the pool at full size)', async () => {
        figures.memory = await memory(runtime, DEFAULT_POOL_THREADS, 2000);
      });
    }
  }
  figures.seconds = (performance.now() - startedAt) / 1000;
  return figures;
}

/**
 * Server CPU a request of POST /delay?ms=0 in mode=pool, then in mode=async, on the same server with
 * its pool grown: the whole process (the pool's threads with it), and its main thread apart, so that
 * the figure shows on which side of the handoff the cost lies.
 */
async function poolCpu(
  runtime: string,
  server: BenchServer,
  pool: Series,
  { plan, generator, say }: Context,
): Promise<{ pool: CpuPerRequest; async: CpuPerRequest }> {
  // One count for both, sized by the slower (the pool), so that each takes about plan.cpuLoadS.
  const requests = cpuRequestCount(plan, pool.rps);
  const cpu = {} as { pool: CpuPerRequest; async: CpuPerRequest };
  for (const [key, url] of [
    ['pool', POOL(server)],
    ['async', ASYNC(server)],
  ] as const) {
    say(
      `${runtime}: server CPU a request, POST ${url.replace(server.url, '')} on ${server.label} (${requests} requests)`,
    );
    cpu[key] = await cpuPerRequest(server.process.pid, server.serving, () =>
      generator.fixedCount(url, { method: 'POST', requests, connections: plan.connections }),
    );
  }
  return cpu;
}

/** Node's POST /delay?ms=0&mode=async against the seed's FastAPI app doing `await asyncio.sleep(0)`. */
async function fastApiPeer(node: BenchServer, ctx: Context): Promise<Peer> {
  const { plan, generator, say } = ctx;
  const found = findFastApiPython();
  if ('missing' in found) {
    say(`fastapi: not measured: ${found.missing}`);
    return { missing: found.missing };
  }
  try {
    const fastapi = await startFastApi(found.python);
    return await withServers(
      [{ variant: 'app', url: fastapi.url, process: fastapi.process, serving: undefined, label: fastapi.label }],
      async () => {
        // The Pythons tried first and lacking FastAPI or uvicorn are said in the progress, not in the
        // report's row: the row is about the one that ran, and should not read like a failure.
        const notUsed = found.passedOver.length
          ? ` (not used, without FastAPI or uvicorn: ${found.passedOver.join('; ')})`
          : '';
        say(`fastapi: POST /delay?ms=0&mode=async, Node's app against ${fastapi.label}${notUsed}`);
        const url = `${fastapi.url}/delay?ms=0&mode=async`;
        const load = (target: string) => (durationS: number) =>
          generator.throughput(target, { method: 'POST', durationS, connections: plan.connections });
        const measured = await alternate(plan, { node: load(ASYNC(node)), fastapi: load(url) });
        const requests = cpuRequestCount(plan, measured.fastapi.rps);
        say(`fastapi: server CPU a request, POST /delay?ms=0 (${requests} requests)`);
        const cpu = await cpuPerRequest(fastapi.process.pid, undefined, () =>
          generator.fixedCount(url, { method: 'POST', requests, connections: plan.connections }),
        );
        return { label: fastapi.label, node: measured.node, fastapi: measured.fastapi, cpu };
      },
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    say(`fastapi: FAILED: ${message}`);
    return { failed: failureSummary(message) };
  }
}

/** The lab's experiment, n=10 requests of plan.makespanTaskMs, for one mode and process count. */
async function makespan(runtime: RuntimeUnderTest, mode: Mode, workers: number, plan: Plan): Promise<MakespanFigure> {
  const [server] = await startAll([startVariant(runtime, 'app', { settings: { workers } })]);
  return withServers([server], async () => {
    const run = await fire({
      url: server!.url,
      runtime: runtime.name,
      mode,
      work: 'sleep',
      workers,
      n: 10,
      ms: plan.makespanTaskMs,
    });
    const s = summarise(run, plan.cores);
    return {
      mode,
      workers,
      makespanMs: s.makespanMs,
      idealMs: s.idealMs,
      efficiency: s.efficiency,
      p99HealthMs: s.p99HealthMs,
      worstHealthMs: s.worstHealthMs,
    };
  });
}

const RSS_SAMPLE_EVERY_MS = 50;

async function memory(runtime: RuntimeUnderTest, poolThreads: number, taskMs: number): Promise<MemoryFigure> {
  const [server] = await startAll([startVariant(runtime, 'app', { settings: { poolThreads } })]);
  return withServers([server], async () => {
    const pid = server!.process.pid;
    const idle = memoryOf(pid);
    let peak = idle;
    let running = true;
    const tasks = Promise.all(
      Array.from({ length: poolThreads }, () => post(`${server!.url}/delay?mode=pool&ms=${taskMs}`)),
    ).finally(() => (running = false));
    // Sampled while the tasks run: the pool grows to its full size on demand.
    while (running) {
      const now = memoryOf(pid);
      if (now.rssBytes > peak.rssBytes) peak = now;
      await Promise.race([tasks, wait(RSS_SAMPLE_EVERY_MS)]);
    }
    const answers = await tasks;
    const failed = answers.filter((a) => a.status !== 200).length;
    if (failed) throw new Error(`${failed} of ${poolThreads} pool tasks failed while measuring memory`);
    return { idle, poolFull: peak, poolThreads };
  });
}
