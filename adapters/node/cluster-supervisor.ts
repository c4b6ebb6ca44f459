// `--workers N` on Node: the FastAPI guide's `uvicorn --workers 4`. The primary accepts nothing itself; it
// forks N workers that share the port (node:cluster hands connections out round-robin), restarts a
// worker that dies, forwards SIGINT/SIGTERM and exits only when every worker is gone. A scrape of
// GET /metrics or /info reaching any worker is answered for all of them through this primary
// (src/observability/scrape-collector.ts, over cluster IPC).
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../../src/logger.ts';
import { ScrapeCollector } from '../../src/observability/scrape-collector.ts';
import type { ProcessInfo } from '../../src/runtime.ts';
import { EXIT_FAILED, EXIT_OK } from '../../src/serve/exit-codes.ts';
import { childPort } from '../ipc/scrape-channel.ts';
import { RestartPolicy } from '../../src/serve/restart-policy.ts';
import { heldSignal } from '../../src/serve/early-signal.ts';
import { logServerReady } from '../../src/serve/server-ready.ts';
import type { ServerConfig } from '../../src/config.ts';

/** What /info says about a cluster worker's siblings. */
export function CLUSTER_PROCESSES(count: number): ProcessInfo {
  return {
    count,
    balancing: 'node:cluster round-robin: the primary accepts each connection and hands it to the next worker',
  };
}

/** After the workers' own shutdown timeout, how long to wait before killing a worker that hangs. */
const KILL_GRACE_MS = 2_000;

export class ClusterSupervisor {
  readonly #config: ServerConfig;
  readonly #logger: Logger;
  readonly #startedAt = new Map<Worker, number>();
  readonly #listeningWorkers = new Set<Worker>();
  readonly #restarts = new RestartPolicy();
  #closing = false;
  #ready = false;
  /** Workers forked to replace one that died. */
  #restarted = 0;
  #gaveUp = false;
  readonly #scrapes = new ScrapeCollector({
    children: () => [...this.#listeningWorkers].map((worker) => childPort(worker.process.pid!, worker)),
    state: () => ({
      pid: process.pid,
      uptimeSeconds: process.uptime(),
      restarts: this.#restarted,
      gaveUp: this.#gaveUp,
      starting: this.#startedAt.size - this.#listeningWorkers.size,
      desired: this.#config.workers,
    }),
  });

  constructor(config: ServerConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  start(): void {
    cluster.on('listening', (worker) => {
      this.#listeningWorkers.add(worker);
      this.#announceWhenAllListen();
    });
    cluster.on('exit', (worker, code, signal) => this.#onExit(worker, code, signal));
    process.on('SIGINT', () => this.#stop('SIGINT'));
    process.on('SIGTERM', () => this.#stop('SIGTERM'));
    // Stopped while its modules loaded (./hold-signals.js): nothing to start.
    const held = heldSignal();
    if (held) return this.#stop(held);
    for (let i = 0; i < this.#config.workers; i++) this.#fork();
  }

  #fork(): void {
    const worker = cluster.fork();
    this.#startedAt.set(worker, Date.now());
    worker.on('message', (message: unknown) => this.#scrapes.receive(childPort(worker.process.pid!, worker), message));
    this.#logger.info('worker_started', `Started worker ${worker.process.pid}`, {
      worker_id: process.pid,
      child: worker.process.pid,
    });
  }

  #announceWhenAllListen(): void {
    if (this.#ready || this.#listeningWorkers.size < this.#config.workers) return;
    this.#ready = true;
    const url = `http://${this.#config.host}:${this.#config.port}`;
    logServerReady(this.#logger, {
      runtimeLabel: `node ${process.versions.node}`,
      url,
      processes: this.#config.workers,
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
    if (this.#closing) {
      // cluster.workers still lists a worker whose 'exit' came before its 'disconnect'.
      if (Object.values(cluster.workers ?? {}).every((w) => !w || w.isDead())) {
        this.#logger.info('server_stopped', 'All workers stopped', { worker_id: process.pid });
        process.exit(EXIT_OK);
      }
      return;
    }
    const decision = this.#restarts.onExit(uptime, listened);
    if (decision.giveUp) {
      this.#logger.error(
        'worker_exited',
        `Worker ${pid} died ${decision.failedStarts} times in a row soon after starting; giving up`,
        { worker_id: process.pid, child: pid },
      );
      this.#closing = true;
      this.#gaveUp = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      process.exit(EXIT_FAILED);
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
      this.#fork();
    }, delay);
  }

  #stop(signal: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#logger.info('server_stopping', `${signal}: stopping ${Object.keys(cluster.workers ?? {}).length} workers`, {
      worker_id: process.pid,
    });
    const workers = Object.values(cluster.workers ?? {});
    if (workers.length === 0) process.exit(EXIT_OK);
    // Each worker drains its own in-flight requests, as a lone server does.
    for (const worker of workers) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      this.#logger.warn('server_stopping', 'Workers did not stop in time; killing them', { worker_id: process.pid });
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, this.#config.shutdownTimeoutMs + KILL_GRACE_MS).unref();
  }
}
