// Runs every requested combination of runtime and mode: starts the server, fires, stops it again.
import { availableParallelism } from 'node:os';
import { supportedModes, workRefusal } from '../../src/delay-params.ts';
import type { Mode } from '../../src/runtime.ts';
import { unavailableReason } from './availability.ts';
import { fire, readServerShape } from './fire.ts';
import type { LabOptions } from './options.ts';
import type { CombinationRun, CombinationSkipped, LabReport } from './results.ts';
import { RUNTIMES } from '../harness/runtimes.ts';
import { startRuntime } from '../harness/start-runtime.ts';

export interface LabProgress {
  /** A line about what happens now ("node pool: starting the server"). */
  step(text: string): void;
  answered(runtime: string, mode: Mode, answered: number, n: number): void;
  finished(run: CombinationRun): void;
  skipped(skip: CombinationSkipped): void;
}

export async function runLab(options: LabOptions, command: string, progress: LabProgress): Promise<LabReport> {
  const runs: CombinationRun[] = [];
  const skipped: CombinationSkipped[] = [];
  const skip = (entry: CombinationSkipped) => {
    skipped.push(entry);
    progress.skipped(entry);
  };
  const common = { work: options.work, workers: options.workers, n: options.n, ms: options.ms };
  const onAnswer = (runtime: string, mode: Mode) => (answered: number, n: number) =>
    progress.answered(runtime, mode, answered, n);

  if (options.url) {
    const shape = await readServerShape(options.url);
    for (const mode of options.modes) {
      const why = whyNot(mode, options, shape.modes);
      if (why) {
        skip({ runtime: shape.runtime, mode, reason: why });
        continue;
      }
      progress.step(`${shape.runtime} ${mode}: firing ${options.n} requests at ${options.url}`);
      const run = await fire(
        {
          url: options.url,
          runtime: shape.runtime,
          mode,
          ...common,
          workers: shape.processes,
          onAnswer: onAnswer(shape.runtime, mode),
        },
        shape,
      );
      runs.push(run);
      progress.finished(run);
    }
  }

  for (const name of options.runtimes) {
    const runtime = RUNTIMES[name];
    const missing = runtime ? unavailableReason(runtime) : 'no adapter for it on this branch';
    if (!runtime || missing) {
      skip({ runtime: name, mode: 'all', reason: missing ?? 'unknown runtime' });
      continue;
    }
    if (options.workers > 1 && !runtime.hasWorkers) {
      skip({ runtime: name, mode: 'all', reason: `${name} has no --workers` });
      continue;
    }
    // Each --balance asked for runs as a runtime of its own ("node --balance kernel"), so that the
    // reports show the ways side by side.
    const ways = options.balances ?? [undefined];
    for (const balance of ways)
      for (const mode of options.modes) {
        const label = balance ? `${name} --balance ${balance}` : name;
        const why = whyNot(mode, options, supportedModes(runtime.hasPool));
        if (why) {
          skip({ runtime: label, mode, reason: why });
          continue;
        }
        progress.step(`${label} ${mode}: starting the server`);
        let server;
        try {
          server = await startRuntime(runtime, {
            workers: options.workers,
            ...(balance ? { balance } : {}),
            maxDelayMs: Math.max(options.ms, 60_000),
          });
        } catch (error) {
          skip({ runtime: label, mode, reason: `the server did not start: ${firstLine(error)}` });
          continue;
        }
        try {
          progress.step(`${label} ${mode}: firing ${options.n} requests of ${options.ms} ms`);
          const run = await fire({ url: server.url, runtime: label, mode, ...common, onAnswer: onAnswer(label, mode) });
          runs.push(run);
          progress.finished(run);
        } finally {
          await server.process.stop();
        }
      }
  }
  return {
    createdAt: new Date().toISOString(),
    command,
    cpuCount: availableParallelism(),
    settings: { n: options.n, ms: options.ms, work: options.work, workers: options.workers },
    runs,
    skipped,
  };
}

function whyNot(mode: Mode, options: LabOptions, supported: readonly Mode[]): string | undefined {
  if (!supported.includes(mode)) return `the server has no ${mode} mode (it answers 501)`;
  return workRefusal(mode, options.work, supported);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
