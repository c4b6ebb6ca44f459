// `npm run lab`: see labHelpText in options.ts. Prints timelines and a summary, writes report.html/json.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { RuntimeName } from '../../src/runtime.ts';
import { painter, wantsColour } from './colour.ts';
import { parseLabOptions } from './options.ts';
import { renderHtml } from './render-html.ts';
import { renderSummaryTable, renderTimeline } from './render-terminal.ts';
import { runLab } from './run-lab.ts';
import { RUNTIMES } from '../harness/runtimes.ts';
import { stopAllServers } from '../harness/server-process.ts';
import { summarise } from './stats.ts';
import { verdict } from './verdict.ts';
import { availableParallelism } from 'node:os';
import { exitOnHelpOrError } from '../../src/cli.ts';

/** Every runtime the project targets, whether or not this branch has its adapter yet. */
const ALL_RUNTIMES: RuntimeName[] = ['node', 'bun', 'deno', 'workerd'];

const known = [...new Set([...ALL_RUNTIMES, ...Object.keys(RUNTIMES)])];
const argv = process.argv.slice(2);
const { options } = exitOnHelpOrError(parseLabOptions(argv, known), process.exit);
const paint = painter(wantsColour(process.stdout, process.env));
const live = process.stderr.isTTY === true;
/** The servers run on this machine (loopback only): its cores bound CPU work, whatever the threads. */
const cores = availableParallelism();

// The servers run in their own process groups (so that stopping reaches cluster workers): a Ctrl-C
// in the terminal does not reach them, so the lab stops them itself before it exits.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the servers\n`);
    void stopAllServers().finally(() => process.exit(130));
  });
}

try {
  const report = await runLab(options, `npm run lab -- ${argv.join(' ')}`.trim(), {
    step: (text) => process.stderr.write(`${live ? '\r\x1b[K' : ''}${text}${live ? '' : '\n'}`),
    answered: (runtime, mode, answered, n) => {
      if (live) process.stderr.write(`\r\x1b[K${runtime} ${mode}: ${answered}/${n} answered`);
    },
    finished: (run) =>
      process.stdout.write(
        `${live ? '\r\x1b[K' : ''}\n${renderTimeline(run, paint)}\n${verdict(run, summarise(run, cores))}\n`,
      ),
    skipped: (skip) =>
      process.stderr.write(
        `${live ? '\r\x1b[K' : ''}${paint('yellow', `${skip.runtime} ${skip.mode}: not available: ${skip.reason}`)}\n`,
      ),
  });
  const summaries = report.runs.map((run) => summarise(run, report.cpuCount));
  process.stdout.write(
    `\n${renderSummaryTable(
      report.runs.map((run, i) => ({ run, summary: summaries[i]! })),
      report.skipped,
      paint,
    )}\n${paint('dim', `This machine has ${report.cpuCount} CPU cores: the ideal of CPU work runs at most ${report.cpuCount} requests at once, however many threads or processes.`)}\n`,
  );

  const out = resolve(options.out);
  await mkdir(out, { recursive: true });
  await writeFile(resolve(out, 'report.json'), `${JSON.stringify({ ...report, summaries }, null, 2)}\n`);
  await writeFile(resolve(out, 'report.html'), renderHtml(report, summaries));
  process.stdout.write(`\nReport: ${resolve(out, 'report.html')} (raw data: report.json)\n`);
  if (report.runs.length === 0) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`\nerror: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stopAllServers();
}
