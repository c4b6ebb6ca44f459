// Starts a server as a child process and stops it again, on success and on failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { processStartTime } from './process-start-time.js';

export interface LogEntry {
  event?: string;
  [field: string]: unknown;
}

export interface StartOptions {
  command: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** True once the server can take requests: a log line, or an HTTP probe. */
  isReady: (server: ServerProcess) => Promise<boolean> | boolean;
  readyTimeoutMs?: number;
  /**
   * Raise the open-file limit (RLIMIT_NOFILE) to this many before the command runs, or as near as
   * the hard limit allows: `sh -c 'ulimit -n …; exec command'`, so the pid is still the command's.
   * For a server that must hold many connections at once (the bench's 10,000). Read back the limit
   * it got with openFileLimit(pid).
   */
  fdLimit?: number;
}

/** argv that runs `command args` with RLIMIT_NOFILE raised to `limit`, or to the hard limit when that is lower. */
export function withFdLimit(
  command: string,
  args: readonly string[],
  limit: number,
): { command: string; args: string[] } {
  const script = `ulimit -n ${Math.floor(limit)} 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"`;
  return { command: '/bin/sh', args: ['-c', script, command, ...args] };
}

/** The soft open-file limit of a running process, from /proc/<pid>/limits; undefined if unreadable. */
export function openFileLimit(pid: number): number | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`/proc/${pid}/limits`, 'utf8'));
    if (!match) return undefined;
    return match[1] === 'unlimited' ? Infinity : Number(match[1]);
  } catch {
    return undefined;
  }
}

/** Every child started and not yet cleaned up, so that a failed test cannot leak one (see stopAllServers). */
const started = new Set<ServerProcess>();

/** Where each server's process group is registered until it is stopped: see ./orphan-reaper.js. */
let reaperInput: Writable | undefined;

function tellReaper(line: string): void {
  if (!reaperInput) {
    const reaper = spawn(process.execPath, [new URL('./orphan-reaper.js', import.meta.url).pathname], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    // Neither the reaper nor the pipe to it keeps this process alive; the pipe closes as it exits.
    reaper.unref();
    (reaper.stdin as unknown as { unref(): void }).unref();
    reaper.stdin!.on('error', () => {}); // a reaper gone early only loses the safety net
    reaperInput = reaper.stdin!;
  }
  reaperInput.write(`${line}\n`);
}

/** Enough to see what went wrong; a soak's request lines would otherwise grow without end. */
const MAX_OUTPUT_LINES = 2_000;

export class ServerProcess {
  readonly child: ChildProcess;
  /** Every JSON log line the server printed, in order. */
  readonly logs: LogEntry[] = [];
  /** The last lines it printed, for failure messages (bounded: wrangler dev prints a line a request). */
  readonly output: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #waiters: { predicate: (entry: LogEntry) => boolean; resolve: (entry: LogEntry) => void }[] = [];

  constructor(options: StartOptions) {
    // detached: the child leads its own process group, so that stop() can reach its descendants
    // (cluster workers, wrangler's workerd) even if the child itself fails to.
    const { command, args } = options.fdLimit ? withFdLimit(options.command, options.args, options.fdLimit) : options;
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.exited = once(this.child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    started.add(this);
    if (this.child.pid !== undefined) tellReaper(`+${this.child.pid} ${processStartTime(this.child.pid) ?? ''}`);
    createInterface({ input: this.child.stdout! }).on('line', (line) => this.#onLine(line));
    createInterface({ input: this.child.stderr! }).on('line', (line) => this.#keep(line));
  }

  #onLine(line: string): void {
    this.#keep(line);
    let entry: LogEntry;
    try {
      entry = JSON.parse(line) as LogEntry;
    } catch {
      return;
    }
    this.logs.push(entry);
    this.#waiters = this.#waiters.filter((waiter) => {
      if (!waiter.predicate(entry)) return true;
      waiter.resolve(entry);
      return false;
    });
  }

  #keep(line: string): void {
    this.output.push(line);
    if (this.output.length > MAX_OUTPUT_LINES) this.output.splice(0, this.output.length - MAX_OUTPUT_LINES / 2);
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Resolves with the first log entry, past or future, that matches. */
  waitForLog(predicate: (entry: LogEntry) => boolean, timeoutMs = 15_000): Promise<LogEntry> {
    const seen = this.logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (entry: LogEntry) => {
          clearTimeout(timer);
          resolve(entry);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== waiter);
        reject(new Error(`no matching log line within ${timeoutMs} ms; output:\n${this.tail()}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  /** Counts log entries of one event. */
  count(event: string): number {
    return this.logs.filter((entry) => entry.event === event).length;
  }

  tail(lines = 30): string {
    return this.output.slice(-lines).join('\n');
  }

  get isRunning(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL to the whole group if it has not exited in time. Resolves with how it exited. */
  async stop(timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.isRunning) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.killGroup(), timeoutMs);
    const result = await this.exited;
    clearTimeout(timer);
    this.killGroup(); // descendants that outlived their parent are a leak the tests report elsewhere
    tellReaper(`-${this.pid}`);
    return result;
  }

  killGroup(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  }
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const server = new ServerProcess(options);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  try {
    for (;;) {
      if (!server.isRunning) throw new Error(`the server exited before it was ready; output:\n${server.tail()}`);
      if (await options.isReady(server)) return server;
      if (Date.now() > deadline) throw new Error(`the server was not ready in time; output:\n${server.tail()}`);
      // Poll the condition again soon: a log line or an answer, whichever the runtime gives.
      await Promise.race([server.exited, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  } catch (error) {
    await server.stop(2_000);
    throw error;
  }
}

/**
 * Stops every server started here and not yet cleaned up: tests call it in afterAll. A server that
 * already exited may have left descendants (a supervisor's children) in its process group: those
 * are killed too.
 */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...started].map((server) => server.stop(5_000)));
  started.clear();
}

/**
 * True if a process with this pid is still running. A zombie (exited, not yet reaped: this
 * sandbox's pid 1 does not reap orphans) counts as gone, though `kill -0` still succeeds on it.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
