// `--workers N` for runtimes whose processes share a port with SO_REUSEPORT (Bun, Deno): the seed's
// `uvicorn --workers 4`. Unlike node:cluster there is no primary handing out connections: each child
// listens itself and the kernel spreads connections. This class only keeps N children alive: it
// starts them, announces `server_ready` when all of them listen, restarts one that dies (backing off
// when they keep dying), forwards SIGINT/SIGTERM, and leaves no child behind when it exits.
//
// Runtime-neutral: node:child_process, node:readline and process signals, which Node, Bun and Deno
// all provide. The child command is a parameter; the child side is ./supervised-child.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../../src/logger.ts';
import { CHILD_READY_LINE, SUPERVISED_CHILD_ENV } from './supervised-child.ts';

/** A child that ran this long before dying was healthy: its crash does not count towards giving up. */
const STABLE_UPTIME_MS = 5_000;
/** Consecutive failed starts after which the supervisor gives up and exits non-zero. */
const MAX_START_ATTEMPTS = 5;
const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;
/** After the children's own shutdown timeout, how long to wait before killing a child that hangs. */
const KILL_GRACE_MS = 2_000;

export interface SupervisorOptions {
  /** How many children serve the port. */
  count: number;
  /** A command that serves the port with reusePort and follows ./supervised-child.ts. */
  command: string;
  args: readonly string[];
  logger: Logger;
  /** The children's graceful shutdown timeout; past it (plus a grace) they are killed. */
  shutdownTimeoutMs: number;
  /** For the `server_ready` line, e.g. "Concurrency Lab (bun 1.4.5) listening on http://… with 4 processes". */
  readyMessage: string;
  /** Extra fields of the `server_ready` event, e.g. the url. */
  readyFields?: Record<string, string | number>;
}

interface Child {
  process: ChildProcess;
  startedAt: number;
  listening: boolean;
}

export class ProcessSupervisor {
  readonly #options: SupervisorOptions;
  readonly #children = new Set<Child>();
  readonly #who = { worker_id: process.pid };
  #failedStarts = 0;
  #closing = false;
  #ready = false;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  start(): void {
    process.on('SIGINT', () => this.#stop('SIGINT'));
    process.on('SIGTERM', () => this.#stop('SIGTERM'));
    // Last resort on any exit path of ours (an uncaught error included). SIGKILL of the supervisor
    // skips this: the children then see EOF on stdin instead.
    process.on('exit', () => {
      for (const child of this.#children) child.process.kill('SIGKILL');
    });
    for (let i = 0; i < this.#options.count; i++) this.#spawn();
  }

  #spawn(): void {
    const { command, args } = this.#options;
    const child: Child = {
      // stdin: a pipe only we write to (and never do), so that the child sees EOF when we die.
      // stdout: piped through us, to catch the child's readiness line; stderr goes straight out.
      process: spawn(command, args, {
        env: { ...process.env, [SUPERVISED_CHILD_ENV]: '1' },
        stdio: ['pipe', 'pipe', 'inherit'],
      }),
      startedAt: Date.now(),
      listening: false,
    };
    this.#children.add(child);
    createInterface({ input: child.process.stdout! }).on('line', (line) => {
      if (line === CHILD_READY_LINE) this.#onListening(child);
      else process.stdout.write(`${line}\n`);
    });
    child.process.on('error', (error) => this.#options.logger.error('error', `Cannot start ${command}: ${error.message}`, this.#who));
    // 'close', not 'exit': it comes after the child's last output line was passed on, and Bun emits
    // only 'error' and 'close' (no 'exit') for a command that cannot start at all (ENOENT).
    child.process.on('close', (code, signal) => this.#onExit(child, code, signal));
  }

  #onListening(child: Child): void {
    child.listening = true;
    const pid = child.process.pid;
    this.#options.logger.info('worker_started', `Process ${pid} listening`, { ...this.#who, child: pid });
    if (this.#ready || [...this.#children].filter((c) => c.listening).length < this.#options.count) return;
    this.#ready = true;
    this.#options.logger.info('server_ready', this.#options.readyMessage, {
      ...this.#who,
      ...this.#options.readyFields,
      processes: this.#options.count,
    });
  }

  #onExit(child: Child, code: number | null, signal: string | null): void {
    this.#children.delete(child);
    const pid = child.process.pid;
    const name = pid === undefined ? 'A process that never started' : `Process ${pid}`;
    const uptime = Date.now() - child.startedAt;
    if (this.#closing) {
      if (this.#children.size === 0) {
        this.#options.logger.info('server_stopped', 'All processes stopped', this.#who);
        process.exit(0);
      }
      return;
    }
    this.#failedStarts = child.listening && uptime >= STABLE_UPTIME_MS ? 0 : this.#failedStarts + 1;
    if (this.#failedStarts >= MAX_START_ATTEMPTS) {
      // A process manager above us sees the non-zero exit; the 'exit' handler kills the rest.
      this.#options.logger.error('worker_exited', `${name} died ${this.#failedStarts} times in a row soon after starting; giving up`, { ...this.#who, child: pid });
      this.#closing = true;
      process.exit(1);
    }
    // Exponential backoff, so that a child that cannot start does not spin the CPU.
    const delay = this.#failedStarts === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (this.#failedStarts - 1));
    this.#options.logger.warn('worker_exited', `${name} exited (${signal ?? `code ${code}`}) after ${uptime} ms; restarting in ${delay} ms`, { ...this.#who, child: pid });
    setTimeout(() => {
      if (!this.#closing) this.#spawn();
    }, delay);
  }

  #stop(signal: NodeJS.Signals): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#options.logger.info('server_stopping', `${signal}: stopping ${this.#children.size} processes`, this.#who);
    if (this.#children.size === 0) process.exit(0);
    // Each child drains its own in-flight requests, as a lone server does.
    for (const child of this.#children) child.process.kill(signal);
    setTimeout(() => {
      this.#options.logger.warn('server_stopping', 'Processes did not stop in time; killing them', this.#who);
      for (const child of this.#children) child.process.kill('SIGKILL');
    }, this.#options.shutdownTimeoutMs + KILL_GRACE_MS).unref();
  }
}
