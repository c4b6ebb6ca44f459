// `npm run bench [-- --quick]`: performance figures as ratios measured in one run; a table on stdout
// and JSON in bench-results/.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { unavailableReason } from '../lab/availability.ts';
import { painter, wantsColour } from '../lab/colour.ts';
import { formatMs, formatRatio } from '../lab/format.ts';
import { table } from '../lab/render-terminal.ts';
import { RUNTIMES } from '../harness/runtimes.ts';
import { stopAllServers } from '../harness/server-process.ts';
import { MODES, type Mode } from '../../src/runtime.ts';
import { helloThroughput, makespan, memory, poolOverhead, scale, type Plan } from './figures.ts';

let values;
try {
  ({ values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } }));
} catch (error) {
  process.stderr.write(`error: ${(error as Error).message}; see --help\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write('Usage: npm run bench [-- --quick]\n\n  --quick  shorter loads (under two minutes); the full run takes under fifteen\n');
  process.exit(0);
}
const plan: Plan = values.quick
  ? // Quick: one short round, and makespans of 10 × 250 ms (blocking alone is n × ms in every runtime).
    { durationS: 2, rounds: 1, scaleRequests: 10_000, makespanTaskMs: 250, cores: availableParallelism() }
  : { durationS: 5, rounds: 3, scaleRequests: 10_000, makespanTaskMs: 1000, cores: availableParallelism() };
const paint = painter(wantsColour(process.stdout, process.env));
const say = (text: string) => process.stderr.write(`${text}\n`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping the servers`);
    void stopAllServers().finally(() => process.exit(130));
  });
}

type Row = [runtime: string, figure: string, value: string, detail: string];
const rows: Row[] = [];
const results: Record<string, unknown> = {};
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rps = (n: number) => `${Math.round(n)} req/s`;

try {
  for (const [name, runtime] of Object.entries(RUNTIMES)) {
    const missing = unavailableReason(runtime);
    if (missing) {
      rows.push([name, 'all', 'not available', missing]);
      continue;
    }
    const figures: Record<string, unknown> = {};
    results[name] = figures;

    say(`${name}: hello throughput (${plan.rounds} × ${plan.durationS} s each, app and bare server alternating)`);
    const hello = await helloThroughput(runtime, plan);
    figures.hello = hello;
    if (hello) {
      const [app, bare] = [hello.a.at(-1)!, hello.b.at(-1)!];
      rows.push([name, 'hello: app ÷ bare server', formatRatio(hello.ratio), `${rps(app.requestsPerSecond)} vs ${rps(bare.requestsPerSecond)} (GET /, 50 connections)`]);
    } else rows.push([name, 'hello: app ÷ bare server', '–', 'no bare server for this runtime']);

    if (runtime.hasPool) {
      // Once with the default pool (40 threads), and in the full run once more with a thread a
      // core: on few cores the two differ.
      for (const poolThreads of values.quick ? [undefined] : [undefined, plan.cores]) {
        const threads = poolThreads ? `--pool-threads ${poolThreads}` : 'default pool';
        say(`${name}: pool overhead (POST /delay?ms=0, pool against async, ${threads})`);
        const overhead = await poolOverhead(runtime, plan, poolThreads);
        figures[poolThreads ? 'poolOverheadThreadPerCore' : 'poolOverhead'] = overhead;
        const [pool, async] = [overhead.a.at(-1)!, overhead.b.at(-1)!];
        rows.push([name, `pool ÷ async, ms=0, ${threads}`, formatRatio(overhead.ratio), `${rps(pool.requestsPerSecond)} vs ${rps(async.requestsPerSecond)}; p99 ${pool.p99Ms} vs ${async.p99Ms} ms`]);
      }
    }

    const modes: { mode: Mode; workers: number }[] = (runtime.hasPool ? MODES : MODES.filter((m) => m !== 'pool')).map((mode) => ({ mode, workers: 1 }));
    if (runtime.hasWorkers) modes.push({ mode: 'blocking', workers: 4 });
    const makespans = [];
    for (const { mode, workers } of modes) {
      say(`${name}: makespan of ${mode}${workers > 1 ? ` --workers ${workers}` : ''} (10 × ${plan.makespanTaskMs} ms)`);
      const figure = await makespan(runtime, mode, workers, plan);
      makespans.push(figure);
      rows.push([
        name,
        `efficiency ${mode}${workers > 1 ? ` --workers ${workers}` : ''} (10 × ${plan.makespanTaskMs} ms)`,
        formatRatio(figure.efficiency),
        `makespan ${formatMs(figure.makespanMs)}, ideal ${formatMs(figure.idealMs)}, worst /health ${formatMs(figure.worstHealthMs)}`,
      ]);
      if (mode === 'pool') rows.push([name, 'p99 /health during 10 pool tasks', formatMs(figure.p99HealthMs), `probed every 20 ms while 10 × ${plan.makespanTaskMs} ms pool tasks ran`]);
    }
    figures.makespan = makespans;

    say(`${name}: scale (${plan.scaleRequests} concurrent async requests of 1 s)`);
    const scaled = await scale(runtime, plan);
    figures.scale = scaled;
    rows.push([
      name,
      `scale: ${plan.scaleRequests} × async 1 s`,
      `${(scaled.makespanMs / 1000).toFixed(2)} × 1 s`,
      `${scaled.errors} errors${scaled.errorKinds.length ? ` (${scaled.errorKinds.join(', ')})` : ''}; at most ${scaled.maxOverlap} waiting at once; starts spread over ${formatMs(scaled.startSpreadMs)}`,
    ]);

    if (runtime.hasPool) {
      say(`${name}: memory (idle, then with the pool at full size)`);
      const poolThreads = 40;
      const measured = await memory(runtime, poolThreads, values.quick ? 1000 : 2000);
      figures.memory = measured;
      rows.push([name, 'memory: idle server', mb(measured.idle.rssBytes), `VmRSS, ${measured.idle.processes} process, ${measured.idle.threads} threads`]);
      rows.push([name, `memory: pool full (${poolThreads})`, mb(measured.poolFull.rssBytes), `VmRSS peak, ${measured.poolFull.threads} threads`]);
    }
  }

  process.stdout.write(`\n${table(['runtime', 'figure', 'value', 'detail'], rows, paint)}\n`);
  const out = resolve('bench-results');
  await mkdir(out, { recursive: true });
  const file = resolve(out, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}${values.quick ? '-quick' : ''}.json`);
  const json = `${JSON.stringify({ createdAt: new Date().toISOString(), quick: values.quick, plan, node: process.versions.node, results, table: rows }, null, 2)}\n`;
  await writeFile(file, json);
  await writeFile(resolve(out, 'latest.json'), json);
  process.stdout.write(`\nResults: ${file}\n`);
} catch (error) {
  process.stderr.write(`\nerror: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stopAllServers();
}
