// The one line that says a server takes requests, logged by a lone server process and by the
// supervisors of `--workers N` alike; tests and the lab wait on its `server_ready` event.
import type { Logger } from '../logger.ts';

export interface ReadyServer {
  /** The runtime and its version, e.g. "node 20.20.2". */
  runtimeLabel: string;
  url: string;
  /** Processes serving the port. */
  processes: number;
  mode: string;
  /** The pid that logs the line: the lone server, or the supervisor. */
  pid: number;
}

export function logServerReady(logger: Logger, { runtimeLabel, url, processes, mode, pid }: ReadyServer): void {
  const across = processes > 1 ? ` with ${processes} workers` : '';
  logger.info('server_ready', `Concurrency Lab (${runtimeLabel}) listening on ${url}${across}, mode ${mode}`, {
    worker_id: pid,
    url,
    processes,
  });
}
