// `npm run soak`'s command line. Pure: argv in, options out.
import { DEFAULT_SETTINGS, type SoakSettings } from './run-soak.ts';
import { parseFlags } from '../../src/cli.ts';
import { wholeNumber } from '../../src/whole-number.ts';
import { runtimeChoice, serverUrlProblem } from '../harness/option-checks.ts';

export interface SoakOptions {
  /** Runtimes to soak one after the other, by matrix name; empty when `url` is given. */
  runtimes: string[];
  url?: string;
  pid?: number;
  settings: SoakSettings;
  json?: string;
}

export type SoakOptionsResult =
  { kind: 'options'; options: SoakOptions } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

export const LIMITS = {
  duration: [1, 86_400],
  warmup: [0, 600],
  concurrency: [1, 1_000],
  workers: [1, 64],
  poolThreads: [1, 1024],
} as const;

/** Samples a second, but at least ten over a short soak: the growth verdict needs six. */
export const sampleInterval = (durationS: number) => Math.min(1, durationS / 10);

export function parseSoakOptions(argv: readonly string[], knownRuntimes: readonly string[]): SoakOptionsResult {
  const flags = parseFlags(argv, {
    runtime: { type: 'string', default: 'node' },
    duration: { type: 'string', default: String(DEFAULT_SETTINGS.durationS) },
    warmup: { type: 'string', default: String(DEFAULT_SETTINGS.warmupS) },
    concurrency: { type: 'string', short: 'c', default: String(DEFAULT_SETTINGS.concurrency) },
    workers: { type: 'string', default: '1' },
    'pool-threads': { type: 'string', default: String(DEFAULT_SETTINGS.poolThreads) },
    url: { type: 'string' },
    pid: { type: 'string' },
    json: { type: 'string' },
  });
  if (flags.error !== undefined) return { kind: 'error', message: flags.error };
  const { values } = flags;
  if (values.help) return { kind: 'help', text: soakHelpText(knownRuntimes) };

  const badRuntime = runtimeChoice(values.runtime, knownRuntimes);
  if (badRuntime) return { kind: 'error', message: badRuntime };
  const duration = wholeNumber('--duration', values.duration, LIMITS.duration);
  const warmup = wholeNumber('--warmup', values.warmup, LIMITS.warmup);
  const concurrency = wholeNumber('--concurrency', values.concurrency, LIMITS.concurrency);
  const workers = wholeNumber('--workers', values.workers, LIMITS.workers);
  const poolThreads = wholeNumber('--pool-threads', values['pool-threads'], LIMITS.poolThreads);
  const pid = values.pid === undefined ? undefined : wholeNumber('--pid', values.pid, [1, 2 ** 22]);
  for (const result of [duration, warmup, concurrency, workers, poolThreads, pid])
    if (typeof result === 'string') return { kind: 'error', message: result };
  if (values.json === '') return { kind: 'error', message: '--json needs a file name' };

  let url: string | undefined;
  if (values.url !== undefined) {
    const badUrl = serverUrlProblem(values.url, argv, ['--runtime', '--workers', '--pool-threads']);
    if (badUrl) return { kind: 'error', message: badUrl };
    url = values.url.replace(/\/+$/, '');
  } else if (pid !== undefined) {
    return { kind: 'error', message: '--pid goes with --url: a server the soak starts is measured anyway' };
  }

  const durationS = duration as number;
  return {
    kind: 'options',
    options: {
      runtimes: url !== undefined ? [] : values.runtime === 'all' ? [...knownRuntimes] : [values.runtime],
      ...(url !== undefined ? { url } : {}),
      ...(pid !== undefined ? { pid: pid as number } : {}),
      settings: {
        ...DEFAULT_SETTINGS,
        durationS,
        warmupS: warmup as number,
        concurrency: concurrency as number,
        workers: workers as number,
        poolThreads: poolThreads as number,
        sampleEveryS: sampleInterval(durationS),
      },
      ...(values.json !== undefined ? { json: values.json } : {}),
    },
  };
}

export function soakHelpText(knownRuntimes: readonly string[]): string {
  return `Usage: npm run soak -- [options]

Runs a mixed load (GET /, /health, /info; POST /delay async, pool and blocking with short waits;
invalid requests that must get 400; unknown routes that must get 404) against a server for a while,
over keep-alive connections, and samples the server's resident memory (its whole process tree).
Exits 1 on any error (an unexpected status, a 5xx, a connection error or timeout) or on unbounded
memory growth.

Options:
  --runtime NAME        ${[...knownRuntimes, 'all'].join(' | ')} (default node); all = one after the other
  --duration SECONDS    measured load after the warm-up, ${LIMITS.duration[0]} to ${LIMITS.duration[1]} (default ${DEFAULT_SETTINGS.durationS})
  --warmup SECONDS      load before the memory baseline, so JIT and pools settle (default ${DEFAULT_SETTINGS.warmupS})
  -c, --concurrency N   clients, each sending one request after another (default ${DEFAULT_SETTINGS.concurrency})
  --workers N           processes serving the port, where the runtime has --workers (default 1)
  --pool-threads N      most pool threads, where the runtime has a pool (default ${DEFAULT_SETTINGS.poolThreads}: a pool
                        that grows and shrinks moves memory more than a leak would; see run-soak.ts)
  --url URL             soak a server that is already running instead of starting one
  --pid PID             with --url: the server's pid, to measure its memory (else memory is skipped)
  --json FILE           also write the results as JSON to FILE
  -h, --help            this text
`;
}
