import { describe, expect, it } from 'vitest';
import type { CpuPerRequest } from './cpu.ts';
import type { RuntimeFigures, Series } from './figures.ts';
import type { WrkScaleResult } from './scale.ts';
import { failureSummary, findCeiling, peerRows, runtimeRows } from './report.ts';

const series = (rps: number, generatorCpuShare?: number): Series => ({
  runs: [],
  rps,
  p99Ms: 5,
  errors: 0,
  non2xx: 0,
  generatorCpuShare,
});

const runtime = (name: string, t: RuntimeFigures['throughput']): RuntimeFigures => ({
  runtime: name,
  labels: { bare: 'bare', hono: 'hono' },
  balance: [],
  throughput: t,
  pool: [],
  cpu: {},
  makespan: [],
  failures: [],
  seconds: 1,
});

/** A server CPU figure of 1,000 requests; with the main thread's share where one is given. */
const cpu = (usPerRequest: number, mainThreadUsPerRequest?: number): CpuPerRequest => ({
  usPerRequest,
  ...(mainThreadUsPerRequest === undefined ? {} : { mainThreadUsPerRequest }),
  requests: 1000,
  cpuMs: usPerRequest,
  processes: ['node:1'],
  wrapperUsPerRequest: 0,
});

const plan = { rounds: 1, durationS: 2, connections: 50 };
const row = (rows: string[][], figure: string) => rows.find((r) => r[1] === figure)!;

/** wrk's 10,000-connection row: 40,000 answers in 8 s, unless `result` says otherwise. */
const wrkScale = (result: Partial<WrkScaleResult> = {}): RuntimeFigures['scale'] => ({
  kind: 'wrk',
  result: {
    connections: 10_000,
    threads: 2,
    durationS: 8,
    taskMs: 1000,
    requests: 40_000,
    requestsPerSecond: 5000,
    p50Ms: 1100,
    p90Ms: 1300,
    p99Ms: 2500,
    maxMs: 7000,
    errors: { connect: 0, read: 0, write: 0, timeout: 0 },
    non2xx: 0,
    timeoutS: 10,
    wrkFdLimit: 20_000,
    serverFdLimit: 20_000,
    wrkCpuShare: 0.1,
    ...result,
  },
});

describe('findCeiling', () => {
  const figures = [runtime('node', { bare: series(20_000, 1) }), runtime('bun', { bare: series(30_000, 0.97) })];

  it('is the best bare server of the run', () => {
    expect(findCeiling(figures, { name: 'autocannon' })).toMatchObject({ rps: 30_000, runtime: 'bun', binding: true });
  });
  it('binds wrk only when wrk itself was saturated there', () => {
    expect(findCeiling(figures, { name: 'wrk' })?.binding).toBe(true);
    expect(findCeiling([runtime('bun', { bare: series(30_000, 0.4) })], { name: 'wrk' })?.binding).toBe(false);
  });
  it('is undefined when no bare server was measured', () => {
    expect(findCeiling([runtime('workerd', { get: series(500) })], { name: 'autocannon' })).toBeUndefined();
  });
});

describe('runtimeRows', () => {
  const ceiling = { rps: 30_000, runtime: 'node', generatorCpuShare: 1, binding: true };

  it('marks a ratio whose two sides both hit the ceiling unmeasurable, and its target too', () => {
    const rows = runtimeRows(
      runtime('node', { get: series(28_000), bare: series(30_000), hono: series(29_000), async: series(5_000) }),
      ceiling,
      plan,
    );
    const bare = row(rows, 'GET / ÷ bare server');
    expect(bare[2]).toBe('(93%)');
    expect(bare[3]).toBe('≥ 90%: unmeasurable');
    expect(bare[4]).toMatch(/UNMEASURABLE/);
    expect(row(rows, 'GET / (the app)')[2]).toBe('≥ 28,000 req/s');
    // async is far below the ceiling: its ratio to GET / is an upper bound, and a miss already.
    const asyncRatio = row(rows, 'async ms=0 ÷ GET /');
    expect(asyncRatio[2]).toBe('≤ 18%');
    expect(asyncRatio[3]).toBe('≥ 50%: MISS');
  });

  it('marks nothing when the ceiling does not bind', () => {
    const rows = runtimeRows(
      runtime('node', { get: series(28_000), bare: series(30_000) }),
      { ...ceiling, binding: false },
      plan,
    );
    expect(row(rows, 'GET / ÷ bare server').slice(2, 4)).toEqual(['93%', '≥ 90%: pass']);
  });

  it('gives the ratios the CPU figures imply for CPU-bound servers', () => {
    const f = {
      ...runtime('node', { get: series(1000) }),
      cpu: { get: cpu(20), bare: cpu(10), hono: cpu(15), async: cpu(100) },
    };
    const rows = runtimeRows(f, undefined, plan);
    const get = row(rows, 'server CPU a request, GET /: app / bare / Hono');
    expect(get[2]).toBe('20 / 10 / 15 µs');
    expect(get[4]).toContain('if CPU-bound, GET / would be ÷ bare 50%, ÷ Hono 75%');
    expect(row(rows, 'server CPU a request, POST /delay?ms=0 async')[4]).toContain('async ÷ GET / would be 20%');
  });

  it("gives the pool's CPU a request beside async's, split between the main thread and the others", () => {
    const f = {
      ...runtime('node', { get: series(1000) }),
      pool: [
        {
          poolThreads: undefined,
          pool: series(400),
          async: series(1000),
          cpu: { pool: cpu(80, 50), async: cpu(20, 19) },
        },
      ],
    };
    const pool = row(runtimeRows(f, undefined, plan), 'server CPU a request, POST /delay?ms=0 pool (default pool)');
    expect(pool[2]).toBe('80 µs');
    expect(pool[4]).toContain('(main thread 50 µs, other threads 30 µs)');
    expect(pool[4]).toContain('async on the same server 20 µs (main thread 19 µs, other threads 1.0 µs)');
    expect(pool[4]).toContain('pool ÷ async would be 25%');
  });

  it('says in the 10,000-connection row how often the listen queue overflowed, and its cap', () => {
    const tail = (listenOverflows: number | undefined) =>
      row(
        runtimeRows(
          { ...runtime('node', { get: series(1000) }), scale: wrkScale({ listenOverflows, somaxconn: 4096 }) },
          undefined,
          plan,
        ),
        'scale: 10,000 conns × async 1000 ms, 8 s: p50 / p99',
      )[4];
    expect(tail(12_345)).toContain('listen queue overflowed 12,345 times (somaxconn 4096)');
    expect(tail(undefined)).toContain('listen queue overflows not known (somaxconn 4096)');
  });

  it('says when a runtime has no pool or no bare server', () => {
    const rows = runtimeRows(runtime('workerd', { get: series(500), async: series(400) }), undefined, plan);
    expect(row(rows, 'pool ÷ async, ms=0')[4]).toBe('no pool on this runtime');
    expect(row(rows, 'GET / ÷ bare server')[4]).toBe('no bare server for this runtime');
  });
});

describe('peerRows', () => {
  it('says why FastAPI was not measured', () => {
    expect(peerRows({ missing: 'no python3 with fastapi and uvicorn' }, undefined)[0]).toEqual([
      'fastapi',
      'Node async ÷ FastAPI',
      'not measured',
      '',
      'no python3 with fastapi and uvicorn',
    ]);
  });
  it('gives Node ÷ FastAPI against its target', () => {
    const rows = peerRows({ label: 'FastAPI', node: series(12_000), fastapi: series(2_000) }, undefined);
    expect(row(rows, 'Node async ms=0 ÷ FastAPI').slice(2, 4)).toEqual(['6.0×', '≥ 5.0×: pass']);
  });
});

describe('failureSummary', () => {
  it("keeps a one-line message, and joins a long one's first and last lines", () => {
    expect(failureSummary('no answer')).toBe('no answer');
    expect(
      failureSummary(
        'the server exited before it was ready; output:\nWarning: experimental\nerror: --workers needs permission\n',
      ),
    ).toBe('the server exited before it was ready; output: … error: --workers needs permission');
  });
});

describe('scale rows', () => {
  const scale = (name: string, requests: number): RuntimeFigures => ({
    ...runtime(name, {}),
    scale: wrkScale({
      requests,
      requestsPerSecond: requests / 8,
      p50Ms: undefined,
      p90Ms: undefined,
      p99Ms: undefined,
      maxMs: undefined,
    }),
  });
  const reqs = (f: RuntimeFigures) =>
    runtimeRows(f, undefined, plan).find((r) => r[1]?.endsWith('req/s') && r[1].startsWith('scale'))!;

  it("says that workerd's burst goes through wrangler dev's proxy, which a row of no answers measures", () => {
    expect(reqs(scale('workerd', 0))[4]).toMatch(/^0 answered .*through wrangler dev's proxy Worker/);
    expect(reqs(scale('node', 0))[4]).not.toContain('proxy');
  });
});
