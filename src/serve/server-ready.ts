// The one line that says a server takes requests, logged by a lone server process and by the
// supervisors of `--workers N` alike; tests and the lab wait on its `server_ready` event.
import { labReadyNote } from '../lab-ui/lab-ready.ts';
import type { Logger } from '../logger.ts';

export interface ReadyServer {
  /** The runtime and its version, e.g. "node 20.20.2". */
  runtimeLabel: string;
  url: string;
  /** Processes serving the port. */
  processes: number;
  mode: string;
  /** With processes above 1: who picks the process for a new connection (--balance). */
  balance?: string;
  /** The pid that logs the line: the lone server, or the supervisor. */
  pid: number;
  /** Whether the live lab page is served: then the line names it (`lab_url`). */
  labUi?: boolean;
}

export function logServerReady(
  logger: Logger,
  { runtimeLabel, url, processes, mode, pid, labUi = false, balance }: ReadyServer,
): void {
  const across = processes > 1 ? ` with ${processes} workers${balance ? ` (balance ${balance})` : ''}` : '';
  const lab = labReadyNote({ labUi }, url);
  logger.info(
    'server_ready',
    `Concurrency Lab (${runtimeLabel}) listening on ${url}${across}, mode ${mode}${lab.text}`,
    {
      worker_id: pid,
      url,
      processes,
      ...(processes > 1 && balance ? { balance } : {}),
      ...lab.fields,
    },
  );
}
