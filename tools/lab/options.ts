// The lab's command line: which runtimes and modes to run, and how hard. Pure: argv in, options out.
import { workRefusal } from '../../src/delay-params.ts';
import { MODES, WORKS, type Mode, type Work } from '../../src/runtime.ts';
import { parseFlags } from '../../src/cli.ts';
import { wholeNumber } from '../../src/whole-number.ts';
import { BALANCE_MODES, type BalanceMode } from '../../src/serve/balance.ts';
import { runtimeChoice, serverUrlProblem } from '../harness/option-checks.ts';

export interface LabOptions {
  /** Runtimes to run, by matrix name; empty when `url` is given. */
  runtimes: string[];
  modes: Mode[];
  workers: number;
  /**
   * With --workers: the --balance ways to run, each as a combination of its own, side by side;
   * absent: the server's default.
   */
  balances?: BalanceMode[];
  /** Concurrent requests, each on its own connection. */
  n: number;
  ms: number;
  work: Work;
  /** A server someone else started; the lab then starts none. */
  url?: string;
  out: string;
}

export type LabOptionsResult =
  { kind: 'options'; options: LabOptions } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

export const LIMITS = { n: [1, 2_000], ms: [0, 60_000], workers: [1, 64] } as const;

/** `knownRuntimes`: every name `--runtime` accepts (the matrix's, plus runtimes other branches add). */
export function parseLabOptions(argv: readonly string[], knownRuntimes: readonly string[]): LabOptionsResult {
  const flags = parseFlags(argv, {
    runtime: { type: 'string', default: 'node' },
    mode: { type: 'string', default: 'all' },
    workers: { type: 'string' },
    balance: { type: 'string' },
    requests: { type: 'string', short: 'n', default: '10' },
    ms: { type: 'string', default: '1000' },
    work: { type: 'string', default: 'sleep' },
    url: { type: 'string' },
    out: { type: 'string', default: 'lab-report' },
  });
  if (flags.error !== undefined) return { kind: 'error', message: flags.error };
  const { values } = flags;
  if (values.help) return { kind: 'help', text: labHelpText(knownRuntimes) };

  const badRuntime = runtimeChoice(values.runtime, knownRuntimes);
  if (badRuntime) return { kind: 'error', message: badRuntime };
  const modeChoices: readonly string[] = [...MODES, 'all'];
  if (!modeChoices.includes(values.mode)) {
    return {
      kind: 'error',
      message: `--mode must be one of ${modeChoices.join(', ')}; got ${JSON.stringify(values.mode)}`,
    };
  }
  if (!(WORKS as readonly string[]).includes(values.work)) {
    return { kind: 'error', message: `--work must be one of ${WORKS.join(', ')}; got ${JSON.stringify(values.work)}` };
  }
  const n = wholeNumber('-n', values.requests, LIMITS.n);
  const ms = wholeNumber('--ms', values.ms, LIMITS.ms);
  const workers = wholeNumber('--workers', values.workers ?? '1', LIMITS.workers);
  for (const result of [n, ms, workers]) if (typeof result === 'string') return { kind: 'error', message: result };
  const work = values.work as Work;
  const modes = values.mode === 'all' ? [...MODES] : [values.mode as Mode];
  const refusal = values.mode === 'async' ? workRefusal('async', work) : undefined;
  if (refusal) return { kind: 'error', message: refusal };

  const badUrl =
    values.url === undefined ? undefined : serverUrlProblem(values.url, argv, ['--runtime', '--workers', '--balance']);
  if (badUrl) return { kind: 'error', message: badUrl };
  const balances =
    values.balance === undefined
      ? undefined
      : values.balance === 'all'
        ? [...BALANCE_MODES]
        : values.balance.split(',');
  const badBalance = balances?.find((b) => !(BALANCE_MODES as readonly string[]).includes(b));
  if (badBalance !== undefined)
    return {
      kind: 'error',
      message: `--balance must be one of ${[...BALANCE_MODES, 'all'].join(', ')}, or several joined by commas; got ${JSON.stringify(badBalance)}`,
    };
  if (balances && (workers as number) < 2)
    return { kind: 'error', message: '--balance needs --workers above 1: it says how connections reach the processes' };
  const runtimes = values.url !== undefined ? [] : values.runtime === 'all' ? [...knownRuntimes] : [values.runtime];
  return {
    kind: 'options',
    options: {
      runtimes,
      modes,
      workers: workers as number,
      ...(balances ? { balances: balances as BalanceMode[] } : {}),
      n: n as number,
      ms: ms as number,
      work,
      ...(values.url !== undefined ? { url: values.url.replace(/\/+$/, '') } : {}),
      out: values.out,
    },
  };
}

export function labHelpText(knownRuntimes: readonly string[]): string {
  return `Usage: npm run lab -- [options]

Fires n concurrent POST /delay requests (each on its own connection) at a server per runtime and mode,
probes GET /health meanwhile, and shows who ran when: timelines, makespan against the ideal, latency.

Options:
  --runtime NAME   ${[...knownRuntimes, 'all'].join(' | ')} (default node)
  --mode MODE      ${[...MODES, 'all'].join(' | ')} (default all)
  --workers N      processes serving the port, ${LIMITS.workers[0]} to ${LIMITS.workers[1]} (default 1)
  --balance WAYS   with --workers: ${[...BALANCE_MODES, 'all'].join(' | ')}, or several joined by commas,
                   each run side by side (default: the server's, least-busy)
  -n N             concurrent requests, ${LIMITS.n[0]} to ${LIMITS.n[1]} (default 10)
  --ms MS          work per request in ms, ${LIMITS.ms[0]} to ${LIMITS.ms[1]} (default 1000)
  --work WORK      sleep (idle wait) | cpu (busy CPU) (default sleep)
  --url URL        use a server that is already running instead of starting one
  --out DIR        where report.html and report.json go (default lab-report)
  -h, --help       this text
`;
}
