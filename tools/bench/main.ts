// `npm run bench [-- --quick]`: performance figures measured in one run: throughput ratios, server
// CPU a request, and 10,000 kept-alive connections; a table on stdout and JSON in bench-results/.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { unavailableReason } from '../lab/availability.ts';
import { painter, wantsColour } from '../lab/colour.ts';
import { table } from '../lab/render-terminal.ts';
import { exitOnHelpOrError, parseFlags } from '../../src/cli.ts';
import { runtimeChoice } from '../harness/option-checks.ts';
import { RUNTIMES } from '../harness/runtimes.ts';
import { stopAllServers } from '../harness/server-process.ts';
import { runtimeFigures, type Peer, type Plan, type RuntimeFigures } from './figures.ts';
import { chooseGenerator, type GeneratorChoice, type LoadGenerator } from './load/generator.ts';
import { findWrk } from './load/wrk.ts';
import { findCeiling, generatorRows, peerRows, runtimeRows, type Row } from './report.ts';

const USAGE = `Usage: npm run bench [-- --quick] [-- --generator auto|wrk|autocannon] [-- --runtime NAME|all]

  --quick        shorter loads and no makespan, memory or thread-a-core figures (under 3 minutes
                 on 2 cores; the full run takes about 10)
  --generator    the load generator: wrk when it is on PATH (auto, the default), else autocannon
  --runtime      one runtime of the matrix (${Object.keys(RUNTIMES).join(', ')}) or all (the default)
`;

/** The bench's flags, or --help, or what is wrong with them. */
function benchOptions(argv: readonly string[]) {
  const flags = parseFlags(argv, {
    quick: { type: 'boolean', default: false },
    generator: { type: 'string', default: 'auto' },
    runtime: { type: 'string', default: 'all' },
  });
  if (flags.error !== undefined) return { kind: 'error' as const, message: flags.error };
  const { values } = flags;
  if (values.help) return { kind: 'help' as const, text: USAGE };
  const problem = ['auto', 'wrk', 'autocannon'].includes(values.generator)
    ? runtimeChoice(values.runtime, Object.keys(RUNTIMES))
    : `--generator must be auto, wrk or autocannon; got ${JSON.stringify(values.generator)}`;
  if (problem !== undefined) return { kind: 'error' as const, message: problem };
  return { kind: 'options' as const, values };
}
const { values } = exitOnHelpOrError(benchOptions(process.argv.slice(2)), process.exit);

const cores = availableParallelism();
const scale = { connections: 10_000, threads: 2, durationS: 8, taskMs: 1000 };
const plan: Plan = values.quick
  ? {
      quick: true,
      durationS: 2,
      rounds: 1,
      warmUpS: 1,
      connections: 50,
      cpuLoadS: 1,
      cpuMinRequests: 2_000,
      cpuMaxRequests: 40_000,
      scale,
      fireManyRequests: 10_000,
      extras: false,
      makespanTaskMs: 250,
      cores,
    }
  : {
      quick: false,
      durationS: 4,
      rounds: 3,
      warmUpS: 1,
      connections: 50,
      cpuLoadS: 3,
      cpuMinRequests: 5_000,
      cpuMaxRequests: 150_000,
      scale,
      fireManyRequests: 10_000,
      extras: true,
      makespanTaskMs: 1000,
      cores,
    };
const paint = painter(wantsColour(process.stdout, process.env));
const say = (text: string) => process.stderr.write(`${text}\n`);
const startedAt = performance.now();
const elapsed = () => `${Math.round((performance.now() - startedAt) / 1000)} s`;

let generator: LoadGenerator | undefined;
let loadAtStart: number[] | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`\n${signal}: stopping the load and the servers`);
    generator?.stopAll();
    void stopAllServers().finally(() => process.exit(130));
  });
}

const figures: RuntimeFigures[] = [];
const skipped: Row[] = [];
const peer: { wanted: boolean; result?: Peer } = { wanted: true };
try {
  const chosen = await chooseGenerator(values.generator as GeneratorChoice);
  generator = chosen.generator;
  const wrk = generator.name === 'wrk' ? findWrk() : undefined;
  const header = `Load generator: ${generator.name}: ${generator.description}; ${chosen.why}.${
    generator.name === 'autocannon'
      ? ' Figures at or above its ceiling (measured against the bare servers in this run) are unmeasurable, and marked so.'
      : ''
  }`;
  say(header);
  loadAtStart = loadavg();
  say(
    `Plan: ${values.quick ? 'quick' : 'full'}, ${plan.rounds} × ${plan.durationS} s a throughput, ${plan.connections} connections, ${cores} cores`,
  );
  for (const [name, runtime] of Object.entries(RUNTIMES)) {
    if (values.runtime !== 'all' && values.runtime !== name) continue;
    const missing = unavailableReason(runtime);
    if (missing) {
      skipped.push([name, 'all', 'not available', '', missing]);
      continue;
    }
    const f = await runtimeFigures(runtime, { plan, generator, wrk, say }, peer);
    say(`${name}: done in ${Math.round(f.seconds)} s (${elapsed()} so far)`);
    figures.push(f);
  }

  const ceiling = findCeiling(figures, generator);
  const rows: Row[] = [
    ...generatorRows(generator, chosen.why, ceiling),
    ...figures.flatMap((f) => runtimeRows(f, ceiling, plan)),
    ...(values.runtime === 'all' || values.runtime === 'node'
      ? peerRows(peer.result, ceiling, figures.find((f) => f.runtime === 'node')?.cpu.async?.usPerRequest)
      : []),
    ...skipped,
  ];
  const took = elapsed();
  const machine = { cores, loadAverageAtStart: loadAtStart ?? [], loadAverageAtEnd: loadavg() };
  // Other work on the machine takes cores from the servers and the generator: the throughputs show it,
  // the CPU figures much less.
  const load = `Machine: ${cores} cores; load average (1 min) ${machine.loadAverageAtStart[0]?.toFixed(1)} at the start, ${machine.loadAverageAtEnd[0]?.toFixed(1)} at the end.`;
  process.stdout.write(
    `\n${header}\n${load}\n\n${table(['runtime', 'figure', 'value', 'target', 'detail'], rows, paint)}\n\n${values.quick ? 'Quick' : 'Full'} bench took ${took}.\n`,
  );
  const out = resolve('bench-results');
  await mkdir(out, { recursive: true });
  const file = resolve(
    out,
    `bench-${new Date().toISOString().replace(/[:.]/g, '-')}${values.quick ? '-quick' : ''}.json`,
  );
  const json = `${JSON.stringify(
    {
      createdAt: new Date().toISOString(),
      quick: values.quick,
      took,
      plan,
      machine,
      node: process.versions.node,
      generator: { name: generator.name, description: generator.description, why: chosen.why },
      ceiling,
      results: figures,
      peer: peer.result,
      table: rows,
    },
    null,
    2,
  )}\n`;
  await writeFile(file, json);
  await writeFile(resolve(out, 'latest.json'), json);
  process.stdout.write(`Results: ${file}\n`);
  if (figures.some((f) => f.failures.length)) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`\nerror: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
} finally {
  generator?.stopAll();
  await stopAllServers();
}
