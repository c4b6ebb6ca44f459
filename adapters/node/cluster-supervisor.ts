// `--workers N` on Node: the FastAPI guide's `uvicorn --workers 4`. The primary forks N workers with
// node:cluster; what it does with them (restart, drain, the ready line, scrapes) is the shared
// supervision (src/serve/supervision.ts), which this file feeds with node:cluster's facts. Who
// picks the worker for a connection is --balance: least-busy (the default), the primary's own TCP
// balancer (adapters/balancer/) in front of workers on private loopback ports; round-robin,
// node:cluster's own; kernel, node:cluster's SCHED_NONE (the workers accept from one shared socket).
// A scrape of GET /metrics or /info reaching any worker is answered for all of them through this
// primary, over cluster IPC.
import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import type { Logger } from '../../src/logger.ts';
import type { ProcessInfo } from '../../src/runtime.ts';
import { balancedProcesses, type BalanceMode } from '../../src/serve/balance.ts';
import { openBalancer } from '../balancer/open-balancer.ts';
import { childPort } from '../ipc/scrape-channel.ts';
import { heldSignal } from '../../src/serve/early-signal.ts';
import { Supervision, type SupervisedProcess } from '../../src/serve/supervision.ts';
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

/** A worker as the shared supervision drives it: asked to drain with SIGTERM, whichever signal the primary got. */
class Worker implements SupervisedProcess {
  readonly cluster: ClusterWorker;
  constructor(worker: ClusterWorker) {
    this.cluster = worker;
  }
  get pid(): number | undefined {
    return this.cluster.process.pid;
  }
  kill(signal: 'SIGINT' | 'SIGTERM' | 'SIGKILL'): void {
    this.cluster.process.kill(signal === 'SIGKILL' ? 'SIGKILL' : 'SIGTERM');
  }
}

export class ClusterSupervisor {
  readonly #config: ServerConfig;
  readonly #logger: Logger;
  readonly #workers = new WeakMap<ClusterWorker, Worker>();

  constructor(config: ServerConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    const config = this.#config;
    // Read by node:cluster at the first fork.
    if (config.balance === 'kernel') cluster.schedulingPolicy = cluster.SCHED_NONE;
    else cluster.schedulingPolicy = cluster.SCHED_RR;
    // round-robin is node:cluster's own here: only least-busy needs the primary's balancer.
    const opened =
      config.balance === 'least-busy' ? await openBalancer(config, this.#logger, config.balance) : undefined;
    const supervision: Supervision<Worker> = new Supervision<Worker>({
      config,
      logger: this.#logger,
      host: process,
      runtimeLabel: `node ${process.versions.node}`,
      noun: 'worker',
      startedWhen: 'spawned',
      spawn: () => {
        const worker = new Worker(cluster.fork());
        this.#workers.set(worker.cluster, worker);
        worker.cluster.on('message', (message: unknown) => {
          if (isWorkerListening(message)) supervision.listening(worker, message.port);
          else supervision.received(worker, message);
        });
        return worker;
      },
      scrapePort: (worker) => childPort(worker.pid!, worker.cluster),
      ...(opened ? { balancer: opened.balancer, port: opened.port } : { port: config.port }),
      uptimeSeconds: () => process.uptime(),
      later: (ms, run) => setTimeout(run, ms).unref(),
    });
    cluster.on('exit', (worker, code, signal) => {
      const supervised = this.#workers.get(worker);
      if (supervised) supervision.exited(supervised, code, signal);
    });
    // Stopped while its modules loaded (adapters/preload/hold-signals.js): nothing to start.
    supervision.start(heldSignal());
  }
}
