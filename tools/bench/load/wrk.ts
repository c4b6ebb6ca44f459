// wrk as the load generator: a separate C process, run with `--latency` and a Lua script whose
// done() prints the results as one JSON line (parsed in wrk-output.ts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { clockTicksPerSecond } from '../cpu.ts';
import { childCpuSeconds } from '../proc-stat.ts';
import type { LoadGenerator, LoadOptions, LoadResult } from './generator.ts';
import { LUA_DONE, parseFixedCount, parseWrkOutput, WRK_FIXED_MARKER, type WrkResult } from './wrk-output.ts';

/** wrk's path when it is on PATH. */
export function findWrk(path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'wrk');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface WrkOptions {
  url: string;
  method?: 'GET' | 'POST';
  threads: number;
  connections: number;
  /** Whole seconds (wrk reads no fractions). */
  durationS: number;
  /** A request slower than this is counted as a timeout and left out of the latencies (wrk's default is 2 s). */
  timeoutS?: number;
  /** Exactly this many requests, then exit (one thread only); durationS then only bounds a server that stops answering. */
  fixedCount?: number;
  /** Raise wrk's open-file limit to this (or to the hard limit): each connection is a file descriptor. */
  fdLimit?: number;
}

export interface WrkRun {
  result: WrkResult;
  /** wrk's CPU time (user + system, all threads), from its parent shell's cutime/cstime. */
  cpuS: number | undefined;
  wallS: number;
  /** The open-file limit wrk ran with. */
  fdLimit: number | undefined;
  args: string[];
}

/**
 * Lua: the method, and a done() that prints JSON. With `fixedCount`, exactly that many requests:
 * wrk asks delay() before every request (each connection's first too), which grants them from a
 * budget and holds the rest back, so none is in flight when the last answer arrives; then wrk
 * exits at once (it would otherwise sleep out its whole duration). Needs one thread: each thread
 * has its own budget.
 */
export function wrkScript(method: 'GET' | 'POST', fixedCount?: number): string {
  const lines = [`wrk.method = "${method}"`];
  if (fixedCount !== undefined) {
    lines.push(
      `local limit = ${Math.floor(fixedCount)}`,
      'local budget = limit',
      'local seen, bad = 0, 0',
      'delay = function()',
      '  if budget > 0 then budget = budget - 1; return 0 end',
      '  return 3600000',
      'end',
      'response = function(status, headers, body)',
      '  seen = seen + 1',
      '  if status > 399 then bad = bad + 1 end',
      '  if seen == limit then',
      `    io.write(string.format('${WRK_FIXED_MARKER}{"requests":%d,"status":%d}\\n', seen, bad))`,
      '    io.flush()',
      '    os.exit(0)',
      '  end',
      'end',
    );
  }
  return `${lines.join('\n')}\n${LUA_DONE}`;
}

const running = new Set<ChildProcess>();
let scriptDir: string | undefined;

function scriptFile(text: string): string {
  scriptDir ??= mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const file = join(scriptDir, `script-${running.size}-${Date.now()}-${Math.random().toString(36).slice(2)}.lua`);
  writeFileSync(file, text);
  return file;
}

/**
 * Runs wrk under a shell that raises the fd limit first and, once wrk has exited, prints its own
 * /proc stat line: its cutime + cstime are then exactly the CPU wrk used.
 */
export async function runWrk(wrk: string, options: WrkOptions): Promise<WrkRun> {
  if (options.fixedCount !== undefined && options.threads !== 1)
    throw new Error('a fixed-count wrk run needs exactly one thread');
  const script = scriptFile(wrkScript(options.method ?? 'GET', options.fixedCount));
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${Math.max(1, Math.round(options.durationS))}s`,
    `--timeout`,
    `${Math.max(1, Math.round(options.timeoutS ?? 2))}s`,
    '--latency',
    '-s',
    script,
    options.url,
  ];
  const limit = options.fdLimit ?? 0;
  const shell = [
    limit ? `ulimit -n ${limit} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null` : ':',
    'echo "bench-fd-limit $(ulimit -n)" >&2',
    '"$0" "$@"',
    'status=$?',
    'read -r stat < /proc/$$/stat',
    'echo "bench-shell-stat $stat" >&2',
    'exit $status',
  ].join('; ');
  const startedAt = performance.now();
  // Its own process group (detached), so that stopAll() reaches wrk and the shell together.
  const child = spawn('/bin/sh', ['-c', shell, wrk, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode) => resolve(exitCode));
  }).finally(() => running.delete(child));
  const wallS = (performance.now() - startedAt) / 1000;
  if (code !== 0)
    throw new Error(`wrk ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2000)}\n${stdout.slice(-2000)}`);
  const statLine = /^bench-shell-stat (.*)$/m.exec(stderr)?.[1];
  const fd = /^bench-fd-limit (\d+|unlimited)$/m.exec(stderr)?.[1];
  return {
    result: options.fixedCount === undefined ? parseWrkOutput(stdout) : parseFixedCount(stdout, wallS),
    cpuS: statLine ? childCpuSeconds(statLine, clockTicksPerSecond()) : undefined,
    wallS,
    fdLimit: fd === undefined ? undefined : fd === 'unlimited' ? Infinity : Number(fd),
    args,
  };
}

export function toLoadResult(run: WrkRun, threads: number): LoadResult {
  const { result } = run;
  return {
    requests: result.requests,
    requestsPerSecond: result.requestsPerSecond,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    errors: result.errors.connect + result.errors.read + result.errors.write + result.errors.timeout,
    non2xx: result.non2xx,
    generatorCpuShare: run.cpuS === undefined ? undefined : run.cpuS / (run.wallS * threads),
  };
}

/** One wrk thread: the servers measured are one thread each, and this machine may have two cores. */
const THROUGHPUT_THREADS = 1;
/** A fixed-count run stops itself; this only bounds a server that stops answering. */
const FIXED_COUNT_GUARD_S = 300;

export async function wrkGenerator(wrk: string): Promise<LoadGenerator> {
  let version = 'wrk';
  try {
    execFileSync(wrk, ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    // `wrk -v` prints its version and the usage, and exits 1.
    const out = `${(error as { stdout?: string }).stdout ?? ''}`;
    version =
      out
        .split('\n')[0]
        ?.replace(/\s*Copyright.*$/, '')
        .trim() || 'wrk';
  }
  return {
    name: 'wrk',
    description: `${version} at ${wrk} (${THROUGHPUT_THREADS} thread for throughput)`,
    throughput: async (url: string, options: LoadOptions & { durationS: number }) =>
      toLoadResult(
        await runWrk(wrk, {
          url,
          method: options.method,
          threads: THROUGHPUT_THREADS,
          connections: options.connections,
          durationS: options.durationS,
        }),
        THROUGHPUT_THREADS,
      ),
    fixedCount: async (url: string, options: LoadOptions & { requests: number }) =>
      toLoadResult(
        await runWrk(wrk, {
          url,
          method: options.method,
          threads: 1,
          connections: options.connections,
          durationS: FIXED_COUNT_GUARD_S,
          fixedCount: options.requests,
        }),
        1,
      ),
    stopAll: () => {
      for (const child of running) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (scriptDir) rmSync(scriptDir, { recursive: true, force: true });
      scriptDir = undefined;
    },
  };
}
