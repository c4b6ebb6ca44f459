// `--workers N` for Bun and Deno: the FastAPI guide's `uvicorn --workers 4`. Who picks the process for
// a connection is --balance: least-busy (the default) and round-robin put this supervisor's own TCP
// balancer (adapters/balancer/) on the public port, in front of children on private loopback ports;
// kernel has every child listen on the port itself with SO_REUSEPORT and the kernel spread
// connections. Besides that, this class keeps N children alive: it
// starts them, announces `server_ready` when all of them listen, restarts one that dies (backing off
// when they keep dying), forwards SIGINT/SIGTERM, and leaves no child behind when it exits. A scrape
// of GET /metrics or /info reaching any child is answered for all of them through this supervisor
// (src/observability/scrape-collector.ts), over an IPC channel given to each child.
//
// Runtime-neutral: node:child_process, node:readline, node:timers and process signals, which Bun and
// Deno both provide (Deno needs --allow-run for its own binary). The child command is a parameter;
// the child's half of the protocol is ./supervised-child.ts.
//
// Why not `deno serve --parallel` on Deno: it runs N isolates inside ONE process, so every answer
// would carry the same pid as worker_id, and it cannot be configured by this app's flags.
import { spawn, type ChildProcess } from 'node:child_process';
import process from 'node:process';
import { createInterface } from 'node:readline';
// node:timers, not the global: Deno's global setTimeout returns a number, which has no unref().
import { setTimeout } from 'node:timers';
import type { Logger } from '../../src/logger.ts';
import { EXIT_BAD_USAGE, EXIT_FAILED, EXIT_OK } from '../../src/serve/exit-codes.ts';
import { RestartPolicy } from '../../src/serve/restart-policy.ts';
import { logServerReady } from '../../src/serve/server-ready.ts';
import { configToArgs, type ServerConfig } from '../../src/config.ts';
import { ScrapeCollector } from '../../src/observability/scrape-collector.ts';
import { childPort, onceGone } from '../ipc/scrape-channel.ts';
import { openBalancer, urlOf, type Balancer, type BalancerCarrier } from '../balancer/open-balancer.ts';
import { CHILD_PRIVATE_ADDRESS, readyPort, SUPERVISED_CHILD_ENV } from './supervised-child.ts';

/** After the children's own shutdown timeout, how long to wait before killing a child that hangs. */
const KILL_GRACE_MS = 2_000;

export interface SupervisorOptions {
  /** The server's settings: `workers` children serve `host`:`port`, each given the same settings. */
  config: ServerConfig;
  logger: Logger;
  /** Names the runtime in the `server_ready` message, e.g. "bun 1.4.5". */
  runtimeLabel: string;
  /**
   * The command that runs this runtime's entry as a supervised child (for Deno with its permissions
   * and --unstable-net); the supervisor appends the server flags.
   */
  command: string;
  args: readonly string[];
  /** What carries the balancer's bytes; node:net's unless the runtime brings its own (Deno). */
  carrier?: BalancerCarrier;
}

interface Child {
  process: ChildProcess;
  /** Which of the N places it fills: its replacement takes the same one. */
  slot: number;
  startedAt: number;
  listening: boolean;
}

export class ProcessSupervisor {
  readonly #options: SupervisorOptions;
  readonly #children = new Set<Child>();
  readonly #who = { worker_id: process.pid };
  /** One restart policy per child slot: a slot whose child keeps failing does not count against the others. */
  readonly #restarts: RestartPolicy[];
  /** EXIT_OK, or EXIT_FAILED once the supervisor gave up: the status it exits with after the drain. */
  #exitCode: number = EXIT_OK;
  #closing = false;
  #ready = false;
  /** Children started to replace one that died. */
  #restarted = 0;
  #gaveUp = false;
  /** The supervisor's own listener, unless --balance kernel. */
  #balancer: Balancer | undefined;
  /** The public port really bound (--port 0 included). */
  #port: number;
  readonly #scrapes = new ScrapeCollector({
    children: () =>
      [...this.#children]
        .filter((child) => child.listening)
        .map((child) => childPort(child.process.pid!, child.process)),
    state: () => ({
      pid: process.pid,
      uptimeSeconds: process.uptime(),
      restarts: this.#restarted,
      gaveUp: this.#gaveUp,
      ...(this.#balancer ? { balancer: this.#balancer.stats(), acceptErrors: this.#balancer.acceptErrors } : {}),
      starting: [...this.#children].filter((child) => !child.listening).length,
      desired: this.#options.config.workers,
    }),
  });

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#port = options.config.port;
    this.#restarts = Array.from({ length: options.config.workers }, () => new RestartPolicy());
  }

  async start(): Promise<void> {
    const { config, logger } = this.#options;
    if (config.balance === 'kernel' && config.port === 0) {
      // With reusePort, port 0 would give every child a different random port.
      process.stderr.write(
        'error: --workers above 1 with --balance kernel needs a fixed --port, not 0: every process must bind the same port\n',
      );
      process.exit(EXIT_BAD_USAGE);
    }
    if (config.balance !== 'kernel')
      ({ balancer: this.#balancer, port: this.#port } = await openBalancer(
        config,
        logger,
        config.balance,
        this.#options.carrier,
      ));
    process.on('SIGINT', () => this.#stop('SIGINT'));
    process.on('SIGTERM', () => this.#stop('SIGTERM'));
    // Last resort on any exit path of ours (an uncaught error included). SIGKILL of the supervisor
    // skips this: the children then see EOF on stdin instead.
    process.on('exit', () => this.#killAll());
    for (let slot = 0; slot < this.#options.config.workers; slot++) this.#spawn(slot);
  }

  #spawn(slot: number): void {
    const { command, args, config } = this.#options;
    // Behind the balancer a child listens on loopback, on a port of its own.
    const childConfig = this.#balancer ? { ...config, ...CHILD_PRIVATE_ADDRESS } : config;
    const child: Child = {
      process: spawn(command, [...args, ...configToArgs(childConfig), `--workers=${config.workers}`], {
        env: { ...process.env, [SUPERVISED_CHILD_ENV]: '1' },
        // stdin: a pipe only we hold the write end of (and never write to): the child sees EOF when
        // we die, however we die. stdout: the child's log lines go straight out, not through us.
        // stderr: through us, to catch the readiness line; every other line is passed on.
        // ipc: scrapes (process.send in the child; Bun and Deno both implement it).
        stdio: ['pipe', 'inherit', 'pipe', 'ipc'],
      }),
      startedAt: Date.now(),
      listening: false,
      slot,
    };
    this.#children.add(child);
    // A child that hangs before it listens would hold its slot for good: it is killed, and its exit
    // counts as a failed start like any other.
    setTimeout(() => {
      if (this.#closing || child.listening || !this.#children.has(child)) return;
      this.#options.logger.warn(
        'worker_start_timeout',
        `Process ${child.process.pid} did not listen within ${config.startupTimeoutMs} ms; killing it`,
        { ...this.#who, child: child.process.pid },
      );
      child.process.kill('SIGKILL');
    }, config.startupTimeoutMs).unref();
    createInterface({ input: child.process.stderr! }).on('line', (line) => {
      const port = readyPort(line);
      if (port !== undefined) this.#onListening(child, port);
      else process.stderr.write(`${line}\n`);
    });
    child.process.on('message', (message: unknown) =>
      this.#scrapes.receive(childPort(child.process.pid!, child.process), message),
    );
    child.process.on('error', (error) =>
      this.#options.logger.error('error', `Cannot start ${command}: ${error.message}`, this.#who),
    );
    // Once it has exited and its last stderr line was passed on ('close', or 'exit' where Deno's IPC
    // channel never closes: see onceGone).
    onceGone(child.process, (code, signal) => this.#onExit(child, code, signal));
  }

  #onListening(child: Child, port: number): void {
    child.listening = true;
    const pid = child.process.pid;
    this.#balancer?.add(pid!, port);
    const { config, logger, runtimeLabel } = this.#options;
    logger.info('worker_started', `Process ${pid} listening`, { ...this.#who, child: pid });
    if (this.#ready || [...this.#children].filter((c) => c.listening).length < config.workers) return;
    this.#ready = true;
    logServerReady(logger, {
      runtimeLabel,
      url: urlOf(config.host, this.#port),
      processes: config.workers,
      balance: config.balance,
      mode: config.mode,
      pid: process.pid,
      labUi: config.labUi,
    });
  }

  #onExit(child: Child, code: number | null, signal: string | null): void {
    this.#children.delete(child);
    const { logger } = this.#options;
    const pid = child.process.pid;
    if (pid !== undefined) this.#balancer?.remove(pid);
    const name = pid === undefined ? 'A process that never started' : `Process ${pid}`;
    const uptime = Date.now() - child.startedAt;
    if (this.#closing) {
      if (this.#children.size === 0) {
        logger.info('server_stopped', 'All processes stopped', this.#who);
        process.exit(this.#exitCode);
      }
      return;
    }
    const decision = this.#restarts[child.slot]!.onExit(uptime, child.listening);
    if (decision.giveUp) {
      // A process manager above us sees the non-zero exit.
      logger.error(
        'worker_exited',
        `${name} died ${decision.failedStarts} times in a row soon after starting; giving up`,
        { ...this.#who, child: pid },
      );
      // The healthy children drain as on SIGTERM; the exit status then says that it failed.
      this.#gaveUp = true;
      this.#exitCode = EXIT_FAILED;
      this.#stop('SIGTERM', 'giving up');
      return;
    }
    const delay = decision.delayMs;
    logger.warn(
      'worker_exited',
      `${name} exited (${signal ?? `code ${code}`}) after ${uptime} ms; restarting in ${delay} ms`,
      { ...this.#who, child: pid },
    );
    setTimeout(() => {
      if (this.#closing) return;
      this.#restarted++;
      this.#spawn(child.slot);
    }, delay);
  }

  #stop(signal: NodeJS.Signals, reason: string = signal): void {
    if (this.#closing) return;
    this.#closing = true;
    // No new connection from here on; the children drain those they have.
    this.#balancer?.close();
    const { logger, config } = this.#options;
    logger.info('server_stopping', `${reason}: stopping ${this.#children.size} processes`, this.#who);
    if (this.#children.size === 0) process.exit(this.#exitCode);
    // Each child drains its own in-flight requests, as a lone server does. child.kill(), not
    // process.kill(pid): on Deno the latter needs --allow-run for every command. Deno's kill() also
    // closes the child's stdin and reports the exit as (null, signal) even when the child exits 0 after
    // draining: harmless here, as EOF stops a child the same graceful way and no exit status is read
    // while closing. 'close' still waits for the child's real exit (checked with a child that drains).
    for (const child of this.#children) child.process.kill(signal);
    setTimeout(() => {
      logger.warn('server_stopping', 'Processes did not stop in time; killing them', this.#who);
      this.#killAll();
    }, config.shutdownTimeoutMs + KILL_GRACE_MS).unref();
  }

  #killAll(): void {
    for (const child of this.#children) child.process.kill('SIGKILL');
  }
}
