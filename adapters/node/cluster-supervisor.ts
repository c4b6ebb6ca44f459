// `--workers N` on Node: the FastAPI guide's `uvicorn --workers 4`. The primary forks N workers,
// restarts a worker that dies, forwards SIGINT/SIGTERM and exits only when every worker is gone. Who
// picks the worker for a connection is --balance: least-busy (the default), the primary's own TCP
// balancer (adapters/balancer/) in front of workers on private loopback ports; round-robin,
// node:cluster's own; kernel, node:cluster's SCHED_NONE (the workers accept from one shared socket). A scrape of
// GET /metrics or /info reaching any worker is answered for all of them through this primary
// (src/observability/scrape-collector.ts, over cluster IPC).
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../../src/logger.ts';
import { ScrapeCollector } from '../../src/observability/scrape-collector.ts';
import type { ProcessInfo } from '../../src/runtime.ts';
import { balancedProcesses, type BalanceMode } from '../../src/serve/balance.ts';
import { openBalancer, urlOf, type Balancer } from '../balancer/open-balancer.ts';
import { EXIT_FAILED, EXIT_OK } from '../../src/serve/exit-codes.ts';
import { childPort } from '../ipc/scrape-channel.ts';
import { RestartPolicy } from '../../src/serve/restart-policy.ts';
import { heldSignal } from '../../src/serve/early-signal.ts';
import { logServerReady } from '../../src/serve/server-ready.ts';
import type { ServerConfig } from '../../src/config.ts';

/** Node's own facts about each way of balancing, for /info. */
const HOW: Record<BalanceMode, string> = {
  'least-busy':
    'On Node the cluster primary carries the bytes between each client and its worker (a TCP proxy on loopback)',
  'round-robin':
    "On Node it is node:cluster's: the primary accepts each connection and passes the socket to the next worker",
  kernel:
    'On Node it is node:cluster SCHED_NONE: the workers share one listening socket and the first to accept takes the connection',
};

/** What /info says about a cluster worker's siblings. */
export function clusterProcesses(count: number, balance: BalanceMode): ProcessInfo {
  return balancedProcesses(count, balance, HOW[balance]);
}

/**
 * What a worker tells its primary once it listens: the port. Not node:cluster's own 'listening'
 * event, which a worker that binds a port of its own (`exclusive`) never sends.
 */
export interface WorkerListening {
  lab: 'worker_listening';
  port: number;
}

function isWorkerListening(message: unknown): message is WorkerListening {
  return typeof message === 'object' && message !== null && (message as WorkerListening).lab === 'worker_listening';
}

/** Tells the primary that this worker listens on `url`. */
export function reportWorkerListening(url: string): void {
  process.send?.({ lab: 'worker_listening', port: Number(new URL(url).port) } satisfies WorkerListening);
}

/** Where a worker listens under least-busy: a loopback port of its own, which the primary connects to. */
export const WORKER_PRIVATE_ADDRESS = { host: '127.0.0.1', port: 0 };

/** After the workers' own shutdown timeout, how long to wait before killing a worker that hangs. */
const KILL_GRACE_MS = 2_000;

export class ClusterSupervisor {
  readonly #config: ServerConfig;
  readonly #logger: Logger;
  readonly #startedAt = new Map<Worker, number>();
  readonly #listeningWorkers = new Set<Worker>();
  /** One restart policy per child slot: a slot whose worker keeps failing does not count against the others. */
  readonly #restarts: RestartPolicy[];
  readonly #slots = new Map<Worker, number>();
  /** EXIT_OK, or EXIT_FAILED once the supervisor gave up: the status it exits with after the drain. */
  #exitCode: number = EXIT_OK;
  #closing = false;
  #ready = false;
  /** Workers forked to replace one that died. */
  #restarted = 0;
  #gaveUp = false;
  /** The primary's own listener under least-busy. */
  #balancer: Balancer | undefined;
  /** The public port really bound (--port 0 included), once known. */
  #port: number;
  readonly #scrapes = new ScrapeCollector({
    children: () => [...this.#listeningWorkers].map((worker) => childPort(worker.process.pid!, worker)),
    state: () => ({
      pid: process.pid,
      uptimeSeconds: process.uptime(),
      restarts: this.#restarted,
      gaveUp: this.#gaveUp,
      ...(this.#balancer ? { balancer: this.#balancer.stats(), acceptErrors: this.#balancer.acceptErrors } : {}),
      starting: this.#startedAt.size - this.#listeningWorkers.size,
      desired: this.#config.workers,
    }),
  });

  constructor(config: ServerConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
    this.#port = config.port;
    this.#restarts = Array.from({ length: config.workers }, () => new RestartPolicy());
  }

  async start(): Promise<void> {
    const { balance } = this.#config;
    // Read by node:cluster at the first fork.
    if (balance === 'kernel') cluster.schedulingPolicy = cluster.SCHED_NONE;
    else cluster.schedulingPolicy = cluster.SCHED_RR;
    if (balance === 'least-busy')
      ({ balancer: this.#balancer, port: this.#port } = await openBalancer(this.#config, this.#logger, balance));
    cluster.on('exit', (worker, code, signal) => this.#onExit(worker, code, signal));
    process.on('SIGINT', () => this.#stop('SIGINT'));
    process.on('SIGTERM', () => this.#stop('SIGTERM'));
    // Stopped while its modules loaded (./hold-signals.js): nothing to start.
    const held = heldSignal();
    if (held) return this.#stop(held);
    for (let slot = 0; slot < this.#config.workers; slot++) this.#fork(slot);
  }

  #fork(slot: number): void {
    const worker = cluster.fork();
    this.#slots.set(worker, slot);
    // A worker that hangs before it listens would hold its slot for good: it is killed, and its exit
    // counts as a failed start like any other.
    setTimeout(() => {
      if (this.#closing || this.#listeningWorkers.has(worker) || worker.isDead()) return;
      this.#logger.warn(
        'worker_start_timeout',
        `Worker ${worker.process.pid} did not listen within ${this.#config.startupTimeoutMs} ms; killing it`,
        { worker_id: process.pid, child: worker.process.pid },
      );
      worker.process.kill('SIGKILL');
    }, this.#config.startupTimeoutMs).unref();
    this.#startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if (isWorkerListening(message)) this.#onListening(worker, message.port);
      else this.#scrapes.receive(childPort(worker.process.pid!, worker), message);
    });
    this.#logger.info('worker_started', `Started worker ${worker.process.pid}`, {
      worker_id: process.pid,
      child: worker.process.pid,
    });
  }

  #onListening(worker: Worker, port: number): void {
    // Under least-busy each worker's own port; otherwise the shared one, the same for all (--port 0 included).
    if (this.#balancer) this.#balancer.add(worker.process.pid!, port);
    else this.#port = port;
    this.#listeningWorkers.add(worker);
    this.#announceWhenAllListen();
  }

  #announceWhenAllListen(): void {
    if (this.#ready || this.#listeningWorkers.size < this.#config.workers) return;
    this.#ready = true;
    logServerReady(this.#logger, {
      runtimeLabel: `node ${process.versions.node}`,
      url: urlOf(this.#config.host, this.#port),
      processes: this.#config.workers,
      balance: this.#config.balance,
      mode: this.#config.mode,
      pid: process.pid,
      labUi: this.#config.labUi,
    });
  }

  #onExit(worker: Worker, code: number | null, signal: string | null): void {
    const uptime = Date.now() - (this.#startedAt.get(worker) ?? Date.now());
    this.#startedAt.delete(worker);
    const listened = this.#listeningWorkers.delete(worker);
    const pid = worker.process.pid;
    const slot = this.#slots.get(worker) ?? 0;
    this.#slots.delete(worker);
    this.#balancer?.remove(pid!);
    if (this.#closing) {
      // cluster.workers still lists a worker whose 'exit' came before its 'disconnect'.
      if (Object.values(cluster.workers ?? {}).every((w) => !w || w.isDead())) {
        this.#logger.info('server_stopped', 'All workers stopped', { worker_id: process.pid });
        process.exit(this.#exitCode);
      }
      return;
    }
    const decision = this.#restarts[slot]!.onExit(uptime, listened);
    if (decision.giveUp) {
      this.#logger.error(
        'worker_exited',
        `Worker ${pid} died ${decision.failedStarts} times in a row soon after starting; giving up`,
        { worker_id: process.pid, child: pid },
      );
      // The healthy workers drain as on SIGTERM; the exit status then says that it failed.
      this.#gaveUp = true;
      this.#exitCode = EXIT_FAILED;
      this.#stop('giving up');
      return;
    }
    const delay = decision.delayMs;
    this.#logger.warn(
      'worker_exited',
      `Worker ${pid} exited (${signal ?? `code ${code}`}) after ${uptime} ms; restarting in ${delay} ms`,
      { worker_id: process.pid, child: pid },
    );
    setTimeout(() => {
      if (this.#closing) return;
      this.#restarted++;
      this.#fork(slot);
    }, delay);
  }

  #stop(signal: string): void {
    if (this.#closing) return;
    this.#closing = true;
    // No new connection from here on; the workers drain those they have.
    this.#balancer?.close();
    this.#logger.info('server_stopping', `${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`, {
      worker_id: process.pid,
    });
    const workers = Object.values(cluster.workers ?? {});
    if (workers.every((w) => !w || w.isDead())) process.exit(this.#exitCode);
    // Each worker drains its own in-flight requests, as a lone server does.
    for (const worker of workers) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      this.#logger.warn('server_stopping', 'Workers did not stop in time; killing them', { worker_id: process.pid });
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, this.#config.shutdownTimeoutMs + KILL_GRACE_MS).unref();
  }
}
