// The bench's table: every figure with its target's verdict, and any throughput that hit the load
// generator's ceiling marked as such. Pure: it formats what figures.ts measured.
import { formatMs, formatRatio } from '../lab/format.ts';
import type { CpuKey, Peer, RuntimeFigures, Series } from './figures.ts';
import type { CpuPerRequest } from './cpu.ts';
import { IN_FRONT } from './in-front.ts';
import type { LoadGenerator } from './load/generator.ts';
import { atCeiling, describeTarget, ratioBound, TARGETS, verdict, type RatioBound, type Target } from './verdicts.ts';

/**
 * One line for the table from an error message: its first line and, when the message goes on (a
 * server's output after "output:"), its last non-empty line, which usually says why.
 */
export function failureSummary(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length <= 1) return lines[0] ?? '';
  return `${lines[0]} … ${lines.at(-1)}`;
}

export type Row = [runtime: string, figure: string, value: string, target: string, detail: string];

export interface Ceiling {
  /** The highest median requests/s of GET / on any bare server this run. */
  rps: number;
  /** Where it was reached. */
  runtime: string;
  /** The generator's CPU share during those runs. */
  generatorCpuShare: number | undefined;
  /** Whether figures near it are marked: always for autocannon; for wrk only if wrk itself was saturated. */
  binding: boolean;
}

/** A generator whose CPU share is at least this was itself the bottleneck. */
export const SATURATED_SHARE = 0.9;

export function findCeiling(
  figures: readonly RuntimeFigures[],
  generator: Pick<LoadGenerator, 'name'>,
): Ceiling | undefined {
  let best: { rps: number; runtime: string; share: number | undefined } | undefined;
  for (const f of figures) {
    const bare = f.throughput.bare;
    if (bare && (!best || bare.rps > best.rps))
      best = { rps: bare.rps, runtime: f.runtime, share: bare.generatorCpuShare };
  }
  if (!best) return undefined;
  const binding = generator.name === 'autocannon' || (best.share !== undefined && best.share >= SATURATED_SHARE);
  return { rps: best.rps, runtime: best.runtime, generatorCpuShare: best.share, binding };
}

export const rps = (n: number) => `${Math.round(n).toLocaleString('en-US')} req/s`;
/** Whole µs from 10 up: /proc counts CPU in 10 ms ticks, so a figure is good to a few per cent at best. */
export const us = (n: number) =>
  Number.isFinite(n) ? `${n < 10 ? n.toFixed(1) : Math.round(n).toLocaleString('en-US')} µs` : '–';
const pct = (share: number | undefined) => (share === undefined ? '?' : `${Math.round(share * 100)}%`);
const seconds = (ms: number | undefined) =>
  ms === undefined ? '–' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;

function hit(series: Series | undefined, ceiling: Ceiling | undefined): boolean {
  return !!series && !!ceiling?.binding && atCeiling(series.rps, ceiling.rps);
}

function ratioCells(
  a: Series,
  b: Series,
  target: Target | undefined,
  ceiling: Ceiling | undefined,
  format = formatRatio,
): { value: string; target: string; note: string } {
  const bound: RatioBound = ratioBound(hit(a, ceiling), hit(b, ceiling));
  const ratio = a.rps / b.rps;
  const value =
    bound === 'unmeasurable'
      ? `(${format(ratio)})`
      : `${bound === 'lower' ? '≥ ' : bound === 'upper' ? '≤ ' : ''}${format(ratio)}`;
  const note =
    bound === 'unmeasurable'
      ? `; UNMEASURABLE: both sides at the generator's ceiling`
      : bound === 'lower'
        ? `; the first side hit the generator's ceiling: the true ratio is higher`
        : bound === 'upper'
          ? `; the second side hit the generator's ceiling: the true ratio is lower`
          : '';
  return { value, target: target ? targetCell(ratio, target, bound, format) : '', note };
}

function targetCell(value: number, target: Target, bound: RatioBound, format: (n: number) => string): string {
  return `${describeTarget(target, format)}: ${verdict(value, target, bound).replace('miss', 'MISS')}`;
}

function throughputValue(series: Series, ceiling: Ceiling | undefined): string {
  return `${hit(series, ceiling) ? '≥ ' : ''}${rps(series.rps)}`;
}

function errorsNote(series: Series): string {
  return series.errors || series.non2xx ? `; ${series.errors} socket errors, ${series.non2xx} error statuses` : '';
}

/** Where a request's CPU went: the main thread, and the process's other threads (a pool's among them). */
function threadSplit(cpu: CpuPerRequest): string {
  const main = cpu.mainThreadUsPerRequest;
  return main === undefined ? '' : ` (main thread ${us(main)}, other threads ${us(cpu.usPerRequest - main)})`;
}

/** Server CPU a request of mode=pool against mode=async at ms=0, on one server, split by thread. */
export function poolCpuRow(
  runtime: string,
  poolThreads: number | undefined,
  cpu: { pool: CpuPerRequest; async: CpuPerRequest },
): Row {
  const threads = poolThreads ? `--pool-threads ${poolThreads}` : 'default pool';
  return [
    runtime,
    `server CPU a request, POST /delay?ms=0 pool (${threads})`,
    us(cpu.pool.usPerRequest),
    '',
    `every thread of the process${threadSplit(cpu.pool)}; async on the same server ${us(cpu.async.usPerRequest)}${threadSplit(cpu.async)}; ` +
      `if CPU-bound, pool ÷ async would be ${formatRatio(cpu.async.usPerRequest / cpu.pool.usPerRequest)}; ${cpu.pool.requests} requests each`,
  ];
}

const CPU_FIGURES: [CpuKey, string][] = [
  ['get', 'app'],
  ['bare', 'bare'],
  ['hono', 'Hono'],
];

export function runtimeRows(
  f: RuntimeFigures,
  ceiling: Ceiling | undefined,
  plan: { rounds: number; durationS: number; connections: number },
): Row[] {
  const rows: Row[] = [];
  const r = f.runtime;
  const { get, async, bare, hono } = f.throughput;
  const measured = `median of ${plan.rounds} × ${plan.durationS} s, ${plan.connections} connections`;
  if (get)
    rows.push([
      r,
      'GET / (the app)',
      throughputValue(get, ceiling),
      '',
      `p99 ${formatMs(get.p99Ms ?? NaN)}; ${measured}${errorsNote(get)}`,
    ]);
  if (async)
    rows.push([
      r,
      'POST /delay?ms=0&mode=async',
      throughputValue(async, ceiling),
      '',
      `p99 ${formatMs(async.p99Ms ?? NaN)}${errorsNote(async)}`,
    ]);
  if (get && async) {
    const c = ratioCells(async, get, TARGETS.asyncOverGet, ceiling);
    rows.push([r, 'async ms=0 ÷ GET /', c.value, c.target, `${rps(async.rps)} vs ${rps(get.rps)}${c.note}`]);
  }
  for (const p of f.pool) {
    const c = ratioCells(p.pool, p.async, TARGETS.poolOverAsync, ceiling);
    const threads = p.poolThreads ? `--pool-threads ${p.poolThreads}` : 'default pool';
    rows.push([
      r,
      `pool ÷ async, ms=0 (${threads})`,
      c.value,
      p.poolThreads ? '' : c.target,
      `${rps(p.pool.rps)} vs ${rps(p.async.rps)}; p99 ${formatMs(p.pool.p99Ms ?? NaN)} vs ${formatMs(p.async.p99Ms ?? NaN)}${errorsNote(p.pool)}${c.note}`,
    ]);
  }
  for (const p of f.pool) if (p.cpu) rows.push(poolCpuRow(r, p.poolThreads, p.cpu));
  if (!f.pool.length && get) rows.push([r, 'pool ÷ async, ms=0', '–', '', 'no pool on this runtime']);
  for (const [key, name, target] of [
    ['bare', 'bare server', TARGETS.getOverBare],
    ['hono', 'one-route Hono', TARGETS.getOverHono],
  ] as const) {
    const other = key === 'bare' ? bare : hono;
    if (get && other) {
      const c = ratioCells(get, other, target, ceiling);
      rows.push([
        r,
        `GET / ÷ ${name}`,
        c.value,
        c.target,
        `${rps(get.rps)} vs ${rps(other.rps)} (${f.labels[key] ?? key})${errorsNote(other)}${c.note}`,
      ]);
    } else if (get) rows.push([r, `GET / ÷ ${name}`, '–', '', `no ${name} for this runtime`]);
  }
  const cpu = CPU_FIGURES.filter(([key]) => f.cpu[key]);
  if (cpu.length) {
    const wrapper = Math.max(...cpu.map(([key]) => f.cpu[key]!.wrapperUsPerRequest));
    rows.push([
      r,
      `server CPU a request, GET /: ${cpu.map(([, name]) => name).join(' / ')}`,
      cpu.map(([key]) => us(f.cpu[key]!.usPerRequest).replace(' µs', '')).join(' / ') + ' µs',
      '',
      `${cpu.map(([key, name]) => `${name} ${f.cpu[key]!.requests} req`).join(', ')}; ${f.cpu.get!.processes.join(' ')}${cpuBoundRatios(f)}${wrapper > 0.5 ? `; the wrapper (wrangler's node, esbuild) besides: up to ${us(wrapper)} a request` : ''}`,
    ]);
  }
  if (f.cpu.async) {
    const asGet = f.cpu.get
      ? `; if CPU-bound, async ÷ GET / would be ${formatRatio(f.cpu.get.usPerRequest / f.cpu.async.usPerRequest)}`
      : '';
    rows.push([
      r,
      'server CPU a request, POST /delay?ms=0 async',
      us(f.cpu.async.usPerRequest),
      '',
      `${f.cpu.async.requests} requests${asGet}`,
    ]);
  }
  rows.push(...scaleRows(f));
  const [balanced, oldWay] = f.balance;
  if (balanced && oldWay)
    rows.push([
      r,
      `GET / --workers 2: ${balanced.balance} ÷ ${oldWay.balance}`,
      formatRatio(balanced.get.rps / oldWay.get.rps),
      '',
      `${rps(balanced.get.rps)} vs ${rps(oldWay.get.rps)}; supervisor CPU a request ${us(balanced.supervisorUsPerRequest)} vs ${us(oldWay.supervisorUsPerRequest)}, ` +
        `its processes' ${us(balanced.childrenUsPerRequest)} vs ${us(oldWay.childrenUsPerRequest)}${errorsNote(balanced.get)}`,
    ]);
  for (const m of f.makespan) {
    const label = `${m.mode}${m.workers > 1 ? ` --workers ${m.workers}` : ''}`;
    rows.push([
      r,
      `efficiency ${label} (10 requests)`,
      formatRatio(m.efficiency),
      '',
      `makespan ${formatMs(m.makespanMs)}, ideal ${formatMs(m.idealMs)}, worst /health ${formatMs(m.worstHealthMs)}`,
    ]);
    if (m.mode === 'pool')
      rows.push([r, 'p99 /health during 10 pool tasks', formatMs(m.p99HealthMs), '', 'probed every 20 ms']);
  }
  if (f.memory) {
    const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
    rows.push([r, 'memory: idle server', mb(f.memory.idle.rssBytes), '', `VmRSS, ${f.memory.idle.threads} threads`]);
    rows.push([
      r,
      `memory: pool full (${f.memory.poolThreads})`,
      mb(f.memory.poolFull.rssBytes),
      '',
      `VmRSS peak, ${f.memory.poolFull.threads} threads`,
    ]);
  }
  for (const failure of f.failures) rows.push([r, 'FAILED', '–', '', failure]);
  return rows;
}

/**
 * The throughput ratios the CPU figures imply for servers that are CPU-bound on one core (a
 * request's µs is then all its cost): generator-independent, unlike the measured ratios.
 */
function cpuBoundRatios(f: RuntimeFigures): string {
  const app = f.cpu.get?.usPerRequest;
  if (app === undefined) return '';
  const parts = (['bare', 'hono'] as const)
    .filter((key) => f.cpu[key])
    .map((key) => `÷ ${key === 'bare' ? 'bare' : 'Hono'} ${formatRatio(f.cpu[key]!.usPerRequest / app)}`);
  return parts.length ? `; if CPU-bound, GET / would be ${parts.join(', ')}` : '';
}

function scaleRows(f: RuntimeFigures): Row[] {
  const r = f.runtime;
  if (!f.scale) return [];
  // What stands between the load and the app, where something does: it decides the figure.
  const inFront = IN_FRONT[r] ? `; ${IN_FRONT[r]}` : '';
  if (f.scale.kind === 'fire-many') {
    const s = f.scale.result;
    const what = `scale (no wrk): ${s.requests} × async ${s.ms} ms fired at once`;
    return [
      [
        r,
        `${what}: req/s`,
        rps(s.requestsPerSecond),
        targetCell(s.requestsPerSecond, TARGETS.scaleRequestsPerSecond, 'exact', (n) => n.toLocaleString('en-US')),
        `answered ÷ makespan ${formatMs(s.makespanMs)}; a one-shot burst, not wrk's kept-alive connections${inFront}`,
      ],
      [
        r,
        `${what}: p50 / p99`,
        `${seconds(s.p50Ms)} / ${seconds(s.p99Ms)}`,
        s.p99Ms === undefined ? '' : targetCell(s.p99Ms, TARGETS.scaleP99Ms, 'exact', seconds),
        `from firing to each answer; starts spread over ${formatMs(s.startSpreadMs)}, at most ${s.maxOverlap} waiting at once`,
      ],
      [r, `${what}: errors`, String(s.errors), '', s.errorKinds.join(', ') || 'none'],
    ];
  }
  const s = f.scale.result;
  const what = `scale: ${s.connections.toLocaleString('en-US')} conns × async ${s.taskMs} ms, ${s.durationS} s`;
  const limits = `fd limit: wrk ${s.wrkFdLimit ?? '?'}, server ${s.serverFdLimit ?? '?'}`;
  const lowLimit = [s.wrkFdLimit, s.serverFdLimit].some((l) => l !== undefined && l < s.connections)
    ? ' (BELOW the connections)'
    : '';
  const e = s.errors;
  return [
    [
      r,
      `${what}: req/s`,
      rps(s.requestsPerSecond),
      targetCell(s.requestsPerSecond, TARGETS.scaleRequestsPerSecond, 'exact', (n) => n.toLocaleString('en-US')),
      `${s.requests} answered (ideal ${Math.round((s.connections * 1000) / s.taskMs).toLocaleString('en-US')} req/s); wrk -t${s.threads}, CPU ${pct(s.wrkCpuShare)} of its threads; ${limits}${lowLimit}${inFront}`,
    ],
    [
      r,
      `${what}: p50 / p99`,
      `${seconds(s.p50Ms)} / ${seconds(s.p99Ms)}`,
      s.p99Ms === undefined ? 'no answers' : targetCell(s.p99Ms, TARGETS.scaleP99Ms, 'exact', seconds),
      `max ${seconds(s.maxMs)}; from each request's send (wrk leaves the connect out); ${listenQueue(s)}`,
    ],
    [
      r,
      `${what}: errors`,
      `${e.connect} connect`,
      targetCell(e.connect, TARGETS.scaleConnectErrors, 'exact', String).replace('≤ 0', 'none'),
      `read ${e.read}, write ${e.write}, timeout ${e.timeout} (wrk --timeout ${s.timeoutS} s), ${s.non2xx} error statuses`,
    ],
  ];
}

/** What the tail is often made of: connections dropped on a full accept queue wait for TCP's retries (1, 3, 7 s). */
function listenQueue(s: { listenOverflows?: number | undefined; somaxconn?: number | undefined }): string {
  const cap = s.somaxconn === undefined ? '' : ` (somaxconn ${s.somaxconn})`;
  return s.listenOverflows === undefined
    ? `listen queue overflows not known${cap}`
    : `listen queue overflowed ${s.listenOverflows.toLocaleString('en-US')} times${cap}`;
}

/** `nodeAsyncCpu`: Node's server CPU µs a POST /delay?ms=0&mode=async, when measured. */
export function peerRows(peer: Peer | undefined, ceiling: Ceiling | undefined, nodeAsyncCpu?: number): Row[] {
  if (!peer) return [['fastapi', 'Node async ÷ FastAPI', '–', '', 'not measured (node was not benchmarked)']];
  if ('missing' in peer) return [['fastapi', 'Node async ÷ FastAPI', 'not measured', '', peer.missing]];
  if ('failed' in peer) return [['fastapi', 'Node async ÷ FastAPI', 'FAILED', '', peer.failed]];
  const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)}×` : '–');
  const c = ratioCells(peer.node, peer.fastapi, TARGETS.nodeOverFastApi, ceiling, times);
  const rows: Row[] = [
    [
      'fastapi',
      'POST /delay?ms=0 (asyncio.sleep(0))',
      throughputValue(peer.fastapi, ceiling),
      '',
      `p99 ${formatMs(peer.fastapi.p99Ms ?? NaN)}; ${peer.label}${errorsNote(peer.fastapi)}`,
    ],
    [
      'fastapi',
      'Node async ms=0 ÷ FastAPI',
      c.value,
      c.target,
      `${rps(peer.node.rps)} vs ${rps(peer.fastapi.rps)}${c.note}`,
    ],
  ];
  if (peer.cpu) {
    const node =
      nodeAsyncCpu === undefined
        ? ''
        : `; if both were CPU-bound, Node ÷ FastAPI would be ${times(peer.cpu.usPerRequest / nodeAsyncCpu)} (Node's async ${us(nodeAsyncCpu)})`;
    rows.push([
      'fastapi',
      'server CPU a request, POST /delay?ms=0',
      us(peer.cpu.usPerRequest),
      '',
      `${peer.cpu.requests} requests; ${peer.cpu.processes.join(' ')}${node}`,
    ]);
  }
  return rows;
}

export function generatorRows(generator: LoadGenerator, why: string, ceiling: Ceiling | undefined): Row[] {
  const rows: Row[] = [['load', 'generator', generator.name, '', `${generator.description}; ${why}`]];
  if (!ceiling) rows.push(['load', 'generator ceiling', '–', '', 'no bare server was measured']);
  else {
    const rule = ceiling.binding
      ? `figures ≥ 90% of it are at the ceiling: a ratio of two such is UNMEASURABLE`
      : `wrk was not saturated there, so this is the servers' limit, not wrk's: nothing is marked`;
    rows.push([
      'load',
      `generator ceiling (GET / on bare servers)`,
      rps(ceiling.rps),
      '',
      `best median on a bare server this run (${ceiling.runtime}); ${generator.name} CPU ${pct(ceiling.generatorCpuShare)} of its thread; ${rule}`,
    ]);
  }
  return rows;
}
