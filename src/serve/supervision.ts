// What a supervisor of `--workers N` does, the same on every runtime: keep N processes alive, one a
// slot; kill one that does not listen within --startup-timeout; announce `server_ready` once all of
// them listen; restart one that dies (./restart-policy.ts, per slot) or give up, draining the rest;
// on SIGINT/SIGTERM stop the balancer, let every process drain, kill those that hang, and exit when
// none is left; answer a scrape for all of them (../observability/scrape-collector.ts).
//
// The runtime facts stay in the adapters: how a process is started and reached (node:cluster on
// Node, adapters/reuse-port/ on Bun and Deno), which signal drains it, and what carries the bytes
// of the balancer they open (adapters/balancer/). They report back with listening(), exited() and
// received().
import type { Logger } from '../logger.ts';
import { ScrapeCollector, type BalancerChildState, type ChildPort } from '../observability/scrape-collector.ts';
import type { ServerConfig } from '../config.ts';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.ts';
import type { HostProcess } from './listener.ts';
import { RestartPolicy } from './restart-policy.ts';
import { logServerReady } from './server-ready.ts';

/** After the processes' own shutdown timeout, how long to wait before killing one that hangs. */
export const KILL_GRACE_MS = 2_000;

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** A process the supervisor started, as the adapter reaches it. */
export interface SupervisedProcess {
  /** Undefined for a process that could not be started at all. */
  readonly pid: number | undefined;
  /** SIGINT or SIGTERM asks it to drain; SIGKILL ends it. Must not throw for a process already gone. */
  kill(signal: StopSignal | 'SIGKILL'): void;
}

/** The supervisor's own listener on the public port, when it picks the process itself (adapters/balancer/). */
export interface SupervisorBalancer {
  add(pid: number, port: number): void;
  remove(pid: number): void;
  /** Stops accepting new connections. */
  close(): void;
  stats(): BalancerChildState[];
  readonly acceptErrors: number;
}

export interface SupervisionOptions<P extends SupervisedProcess> {
  config: ServerConfig;
  logger: Logger;
  /** The supervisor's own process: its pid, its signals, its exit. */
  host: HostProcess;
  /** Names the runtime in the `server_ready` message, e.g. "bun 1.4.5". */
  runtimeLabel: string;
  /** How the log names one of the processes: "worker" (node:cluster's word) or "process". */
  noun: 'worker' | 'process';
  /** When `worker_started` is logged: at the start (node:cluster) or once the process listens. */
  startedWhen: 'spawned' | 'listening';
  /** Starts the process for `slot`; the adapter then calls listening(), exited() and received() for it. */
  spawn(slot: number): P;
  /** How a scrape reaches it (its IPC channel). */
  scrapePort(process: P): ChildPort;
  /** The public port's balancer, already listening; absent where the runtime or the kernel balance. */
  balancer?: SupervisorBalancer;
  /** The public port the balancer bound; without a balancer, the one the processes report. */
  port: number;
  uptimeSeconds(): number;
  /** Runs `run` after `ms` without keeping the process alive for it (node:timers' unref). */
  later(ms: number, run: () => void): void;
}

interface Slot {
  slot: number;
  startedAt: number;
  listening: boolean;
}

export class Supervision<P extends SupervisedProcess> {
  readonly #options: SupervisionOptions<P>;
  readonly #processes = new Map<P, Slot>();
  /** One restart policy per slot: a slot whose process keeps failing does not count against the others. */
  readonly #restarts: RestartPolicy[];
  readonly #who: { worker_id: number };
  #port: number;
  /** EXIT_OK, or EXIT_FAILED once the supervisor gave up: the status it exits with after the drain. */
  #exitCode: number = EXIT_OK;
  #closing = false;
  #ready = false;
  /** Processes started to replace one that died. */
  #restarted = 0;
  #gaveUp = false;
  readonly #scrapes: ScrapeCollector;

  constructor(options: SupervisionOptions<P>) {
    this.#options = options;
    this.#port = options.port;
    this.#who = { worker_id: options.host.pid };
    this.#restarts = Array.from({ length: options.config.workers }, () => new RestartPolicy());
    this.#scrapes = new ScrapeCollector({
      children: () => this.#listening().map((process) => options.scrapePort(process)),
      state: () => ({
        pid: options.host.pid,
        uptimeSeconds: options.uptimeSeconds(),
        restarts: this.#restarted,
        gaveUp: this.#gaveUp,
        ...(options.balancer
          ? { balancer: options.balancer.stats(), acceptErrors: options.balancer.acceptErrors }
          : {}),
        starting: this.#processes.size - this.#listening().length,
        desired: options.config.workers,
      }),
    });
  }

  /** Takes SIGINT and SIGTERM, then starts every slot's process, unless `heldSignal` already asked to stop. */
  start(heldSignal?: StopSignal): void {
    this.#options.host.on('SIGINT', () => this.stop('SIGINT'));
    this.#options.host.on('SIGTERM', () => this.stop('SIGTERM'));
    if (heldSignal) return this.stop(heldSignal);
    for (let slot = 0; slot < this.#options.config.workers; slot++) this.#spawn(slot);
  }

  /** The process listens on `port`: its own behind the balancer, else the public one. */
  listening(process: P, port: number): void {
    const slot = this.#processes.get(process);
    if (!slot) return;
    slot.listening = true;
    const { balancer, logger, config, runtimeLabel } = this.#options;
    if (balancer) balancer.add(process.pid!, port);
    else this.#port = port;
    if (this.#options.startedWhen === 'listening')
      logger.info('worker_started', `${this.#name(process)} listening`, { ...this.#who, child: process.pid });
    if (this.#ready || this.#listening().length < config.workers) return;
    this.#ready = true;
    logServerReady(logger, {
      runtimeLabel,
      url: urlOf(config.host, this.#port),
      processes: config.workers,
      balance: config.balance,
      mode: config.mode,
      pid: this.#options.host.pid,
      labUi: config.labUi,
    });
  }

  /** A scrape message from the process. */
  received(process: P, message: unknown): void {
    this.#scrapes.receive(this.#options.scrapePort(process), message);
  }

  /** The process is gone: replaced (after a backoff if it keeps failing), or, while stopping, counted out. */
  exited(process: P, code: number | null, signal: string | null): void {
    const slot = this.#processes.get(process);
    if (!slot) return;
    this.#processes.delete(process);
    const { logger, balancer } = this.#options;
    if (process.pid !== undefined) balancer?.remove(process.pid);
    const uptime = Date.now() - slot.startedAt;
    if (this.#closing) {
      if (this.#processes.size === 0) {
        logger.info('server_stopped', `All ${this.#plural()} stopped`, this.#who);
        this.#options.host.exit(this.#exitCode);
      }
      return;
    }
    const name = this.#name(process);
    const decision = this.#restarts[slot.slot]!.onExit(uptime, slot.listening);
    if (decision.giveUp) {
      // A process manager above us sees the non-zero exit.
      logger.error(
        'worker_exited',
        `${name} died ${decision.failedStarts} times in a row soon after starting; giving up`,
        {
          ...this.#who,
          child: process.pid,
        },
      );
      // The healthy processes drain as on SIGTERM; the exit status then says that it failed.
      this.#gaveUp = true;
      this.#exitCode = EXIT_FAILED;
      this.stop('SIGTERM', 'giving up');
      return;
    }
    logger.warn(
      'worker_exited',
      `${name} exited (${signal ?? `code ${code}`}) after ${uptime} ms; restarting in ${decision.delayMs} ms`,
      { ...this.#who, child: process.pid },
    );
    // Not `later`: with no process left, this timer is what keeps a kernel-balanced supervisor alive.
    setTimeout(() => {
      if (this.#closing) return;
      this.#restarted++;
      this.#spawn(slot.slot);
    }, decision.delayMs);
  }

  /** Stops accepting, lets every process drain (`signal`), kills those that hang, exits when none is left. */
  stop(signal: StopSignal, reason: string = signal): void {
    if (this.#closing) return;
    this.#closing = true;
    const { balancer, logger, config } = this.#options;
    // No new connection from here on; the processes drain those they have.
    balancer?.close();
    logger.info('server_stopping', `${reason}: stopping ${this.#processes.size} ${this.#plural()}`, this.#who);
    // Stopped with none running (a signal held while loading, or every slot waiting out a restart
    // backoff): the stop is already complete, and says so as any other does.
    if (this.#processes.size === 0) {
      logger.info('server_stopped', `All ${this.#plural()} stopped`, this.#who);
      this.#options.host.exit(this.#exitCode);
    }
    // Each process drains its own in-flight requests, as a lone server does.
    for (const process of this.#processes.keys()) process.kill(signal);
    this.#options.later(config.shutdownTimeoutMs + KILL_GRACE_MS, () => {
      const plural = this.#plural();
      logger.warn(
        'server_stopping',
        `${plural[0]!.toUpperCase()}${plural.slice(1)} did not stop in time; killing them`,
        this.#who,
      );
      this.killAll();
    });
  }

  /** SIGKILL to every process: the last resort, on any exit path of the supervisor. */
  killAll(): void {
    for (const process of this.#processes.keys()) process.kill('SIGKILL');
  }

  #spawn(slot: number): void {
    const { config, logger } = this.#options;
    const process = this.#options.spawn(slot);
    this.#processes.set(process, { slot, startedAt: Date.now(), listening: false });
    if (this.#options.startedWhen === 'spawned')
      logger.info('worker_started', `Started ${this.#options.noun} ${process.pid}`, {
        ...this.#who,
        child: process.pid,
      });
    // A process that hangs before it listens would hold its slot for good: it is killed, and its exit
    // counts as a failed start like any other.
    this.#options.later(config.startupTimeoutMs, () => {
      if (this.#closing || this.#processes.get(process)?.listening !== false) return;
      logger.warn(
        'worker_start_timeout',
        `${this.#name(process)} did not listen within ${config.startupTimeoutMs} ms; killing it`,
        { ...this.#who, child: process.pid },
      );
      process.kill('SIGKILL');
    });
  }

  #listening(): P[] {
    return [...this.#processes].filter(([, slot]) => slot.listening).map(([process]) => process);
  }

  #name(process: P): string {
    const { noun } = this.#options;
    if (process.pid === undefined) return `A ${noun} that never started`;
    return `${noun[0]!.toUpperCase()}${noun.slice(1)} ${process.pid}`;
  }

  #plural(): string {
    return this.#options.noun === 'worker' ? 'workers' : 'processes';
  }
}

/** A URL for `host`:`port`, IPv6 in brackets. */
export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
