// One process's own view for a scrape under --workers: its series and the figures GET /info lists.
import type { LoopLagMonitor } from '../loop-lag.ts';
import type { Metrics } from '../metrics.ts';
import type { Runtime } from '../runtime.ts';
import { sumOf } from './exposition.ts';
import type { ProcessSnapshot } from './scrape-protocol.ts';

export function processSnapshot(metrics: Metrics, runtime: Runtime, loopLag?: LoopLagMonitor): ProcessSnapshot {
  const families = metrics.families(runtime, loopLag);
  const started = runtime.processStats?.().startTimeSeconds;
  return {
    pid: Number(runtime.workerId()),
    uptimeSeconds: started === undefined ? 0 : Math.max(0, Date.now() / 1000 - started),
    requestsServed: sumOf(families, 'lab_http_requests_total'),
    families,
  };
}
