// `--workers N` for Bun and Deno: the FastAPI guide's `uvicorn --workers 4`. Who picks the process for
// a connection is --balance: least-busy (the default) and round-robin put this supervisor's own TCP
// balancer (adapters/balancer/) on the public port, in front of children on private loopback ports;
// kernel has every child listen on the port itself with SO_REUSEPORT and the kernel spread
// connections. Keeping N children alive (restart, drain, the ready line, scrapes) is the shared
// supervision (src/serve/supervision.ts); this file starts each child, reads its ready line, and
// gives it an IPC channel, over which a scrape of GET /metrics or /info reaching any child is
// answered for all of them. It leaves no child behind when it exits.
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
import { heldSignal } from '../../src/serve/early-signal.ts';
import { EXIT_BAD_USAGE } from '../../src/serve/exit-codes.ts';
import { Supervision, type SupervisedProcess } from '../../src/serve/supervision.ts';
import { configToArgs, type ServerConfig } from '../../src/config.ts';
import { childPort, onceGone } from '../ipc/scrape-channel.ts';
import { openBalancer, type BalancerCarrier } from '../balancer/open-balancer.ts';
import { CHILD_PRIVATE_ADDRESS, readyPort, SUPERVISED_CHILD_ENV } from './supervised-child.ts';

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

/** A child as the shared supervision drives it. */
class Child implements SupervisedProcess {
  readonly process: ChildProcess;
  constructor(child: ChildProcess) {
    this.process = child;
  }
  get pid(): number | undefined {
    return this.process.pid;
  }
  kill(signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): void {
    // child.kill(), not process.kill(pid): on Deno the latter needs --allow-run for every command.
    // Deno's kill() also closes the child's stdin and reports the exit as (null, signal) even when the
    // child exits 0 after draining: harmless here, as EOF stops a child the same graceful way and no
    // exit status is read while closing. 'close' still waits for the child's real exit (checked with a
    // child that drains).
    this.process.kill(signal);
  }
}

export class ProcessSupervisor {
  readonly #options: SupervisorOptions;

  constructor(options: SupervisorOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const { config, logger, command, args } = this.#options;
    if (config.balance === 'kernel' && config.port === 0) {
      // With reusePort, port 0 would give every child a different random port.
      process.stderr.write(
        'error: --workers above 1 with --balance kernel needs a fixed --port, not 0: every process must bind the same port\n',
      );
      process.exit(EXIT_BAD_USAGE);
    }
    const opened =
      config.balance === 'kernel'
        ? undefined
        : await openBalancer(config, logger, config.balance, this.#options.carrier);
    // Behind the balancer a child listens on loopback, on a port of its own.
    const childConfig = opened ? { ...config, ...CHILD_PRIVATE_ADDRESS } : config;
    const supervision: Supervision<Child> = new Supervision<Child>({
      config,
      logger,
      host: process,
      runtimeLabel: this.#options.runtimeLabel,
      noun: 'process',
      startedWhen: 'listening',
      spawn: () => {
        const child = new Child(
          spawn(command, [...args, ...configToArgs(childConfig), `--workers=${config.workers}`], {
            env: { ...process.env, [SUPERVISED_CHILD_ENV]: '1' },
            // stdin: a pipe only we hold the write end of (and never write to): the child sees EOF when
            // we die, however we die. stdout: the child's log lines go straight out, not through us.
            // stderr: through us, to catch the readiness line; every other line is passed on.
            // ipc: scrapes (process.send in the child; Bun and Deno both implement it).
            stdio: ['pipe', 'inherit', 'pipe', 'ipc'],
          }),
        );
        createInterface({ input: child.process.stderr! }).on('line', (line) => {
          const port = readyPort(line);
          if (port !== undefined) supervision.listening(child, port);
          else process.stderr.write(`${line}\n`);
        });
        child.process.on('message', (message: unknown) => supervision.received(child, message));
        child.process.on('error', (error) =>
          logger.error('error', `Cannot start ${command}: ${error.message}`, { worker_id: process.pid }),
        );
        // Once it has exited and its last stderr line was passed on ('close', or 'exit' where Deno's IPC
        // channel never closes: see onceGone).
        onceGone(child.process, (code, signal) => supervision.exited(child, code, signal));
        return child;
      },
      scrapePort: (child) => childPort(child.pid!, child.process),
      ...(opened ? { balancer: opened.balancer, port: opened.port } : { port: config.port }),
      uptimeSeconds: () => process.uptime(),
      later: (ms, run) => setTimeout(run, ms).unref(),
    });
    // Last resort on any exit path of ours (an uncaught error included). SIGKILL of the supervisor
    // skips this: the children then see EOF on stdin instead.
    process.on('exit', () => supervision.killAll());
    // Stopped while its modules loaded (adapters/preload/hold-signals.js): nothing to start.
    supervision.start(heldSignal());
  }
}
