// GET /metrics in the Prometheus text format: what a dashboard needs to see this server's load.
import type { LoopLagMonitor } from './loop-lag.ts';
import { renderExposition, type Labels, type MetricFamily } from './observability/exposition.ts';
import type { Runtime } from './runtime.ts';

export class Metrics {
  /** Every series, in the order first seen (the order /metrics lists them). */
  readonly #requests: { labels: Labels; count: number }[] = [];
  /** The same series by route, method, mode and status: looked up level by level, no key built per request. */
  readonly #index = new Map<string, Map<string, Map<string, Map<number, { labels: Labels; count: number }>>>>();
  #inFlight = 0;
  /** This process's connections, once it listens: failed accepts always, the rest where the runtime counts them. */
  connections?: () => { acceptErrors: number; open?: number; refused?: number };

  requestStarted(): void {
    this.#inFlight++;
  }

  /** Labels come from small closed sets (the app's routes, the standard methods, the modes, the statuses it answers). */
  requestEnded(route: string, method: string, mode: string, status: number): void {
    this.#inFlight--;
    let byMethod = this.#index.get(route);
    if (!byMethod) this.#index.set(route, (byMethod = new Map()));
    let byMode = byMethod.get(method);
    if (!byMode) byMethod.set(method, (byMode = new Map()));
    let byStatus = byMode.get(mode);
    if (!byStatus) byMode.set(mode, (byStatus = new Map()));
    let entry = byStatus.get(status);
    if (!entry) {
      entry = { labels: { route, method, mode, status: String(status) }, count: 0 };
      byStatus.set(status, entry);
      this.#requests.push(entry);
    }
    entry.count++;
  }

  /** This process's series in the Prometheus text format: GET /metrics of a lone process. */
  render(runtime: Runtime, loopLag?: LoopLagMonitor): string {
    return renderExposition(this.families(runtime, loopLag));
  }

  /**
   * This process's series as data, every sample labelled with its worker_id (the pid) and runtime, so
   * that a supervisor can merge the families of all its processes into one scrape.
   */
  families(runtime: Runtime, loopLag?: LoopLagMonitor): MetricFamily[] {
    const families: MetricFamily[] = [];
    const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: [Labels, number][]): void => {
      families.push({ name, type, help, samples: samples.map(([labels, value]) => ({ labels, value })) });
    };
    const worker = { worker_id: String(runtime.workerId()), runtime: runtime.name };
    metric(
      'lab_http_requests_total',
      'counter',
      'Requests answered, by route, mode and status.',
      this.#requests.map(({ labels, count }) => [{ ...worker, ...labels }, count]),
    );
    metric('lab_http_requests_in_flight', 'gauge', 'Requests being answered now (this one included).', [
      [worker, this.#inFlight],
    ]);
    const connections = this.connections?.();
    if (connections) {
      if (connections.open !== undefined)
        metric('lab_connections_open', 'gauge', 'Client connections open now.', [[worker, connections.open]]);
      if (connections.refused !== undefined)
        metric(
          'lab_connections_refused_total',
          'counter',
          'Connections closed at once because --max-connections were open.',
          [[worker, connections.refused]],
        );
      metric(
        'lab_accept_errors_total',
        'counter',
        'Connections the process failed to accept (EMFILE, ENFILE, ENOMEM).',
        [[worker, connections.acceptErrors]],
      );
    }
    const pool = runtime.pool?.stats();
    if (pool) {
      metric('lab_pool_threads', 'gauge', 'Pool threads alive.', [[worker, pool.threads]]);
      metric('lab_pool_threads_max', 'gauge', 'Most pool threads.', [[worker, pool.maxThreads]]);
      metric('lab_pool_busy_threads', 'gauge', 'Pool threads running a task.', [[worker, pool.busy]]);
      metric('lab_pool_queued_tasks', 'gauge', 'Tasks waiting for a pool thread.', [[worker, pool.queued]]);
      metric('lab_pool_completed_total', 'counter', 'Pool tasks completed.', [[worker, pool.completed]]);
      metric('lab_pool_rejected_total', 'counter', 'Pool tasks refused because the queue was full (503).', [
        [worker, pool.rejected],
      ]);
      metric(
        'lab_pool_cancelled_total',
        'counter',
        'Pool tasks dropped while waiting for a thread, because their client went away.',
        [[worker, pool.cancelled]],
      );
    }
    if (loopLag) {
      metric('lab_event_loop_lag_seconds', 'gauge', 'How late the event loop is now.', [
        [worker, loopLag.lagMs() / 1000],
      ]);
      metric('lab_event_loop_lag_max_seconds', 'gauge', 'The largest event-loop lag seen since start.', [
        [worker, loopLag.maxLagMs() / 1000],
      ]);
    }
    const stats = runtime.processStats?.();
    if (stats) {
      // The names every Prometheus client library uses for these, so that existing dashboards read them.
      metric('process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', [[worker, stats.rssBytes]]);
      metric('process_cpu_seconds_total', 'counter', 'Total user and system CPU time spent in seconds.', [
        [worker, stats.cpuSeconds],
      ]);
      metric('process_start_time_seconds', 'gauge', 'Start time of the process since unix epoch in seconds.', [
        [worker, stats.startTimeSeconds],
      ]);
      metric('lab_process_heap_used_bytes', 'gauge', 'JavaScript heap in use.', [[worker, stats.heapUsedBytes]]);
    }
    return families;
  }
}
