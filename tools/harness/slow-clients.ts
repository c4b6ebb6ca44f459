// Clients that hold connections without finishing a request: some trickle their headers a byte at a
// time and never end them, some connect and say nothing. They run in a process of their own
// (./slow-clients-main.ts), so that a thousand sockets and timers are not in the event loop of the
// test that measures the server meanwhile, and so that their file-descriptor limit can be raised
// without touching the test's.
import { REPO_ROOT } from './repo-root.ts';
import { ServerProcess } from './server-process.ts';

/** Open files a process needs besides its connections (its modules, pipes, runtime threads): generous. */
export const FILES_BESIDES_CONNECTIONS = 1_000;

export interface SlowClientCounts {
  /** Connections that send a request line and then one byte of a header every `intervalMs`, never ending it. */
  trickling: number;
  /** Connections that send nothing at all. */
  silent: number;
  /** The trickling connections' pace: each sends one byte this often. */
  intervalMs?: number;
}

export interface SlowClientsClosed {
  event: 'slow_clients_closed';
  closed: number;
  answered: number;
  json_408: number;
}

/**
 * Starts the clients against 127.0.0.1:`port` in a process of their own, and resolves once every
 * connection is open. Stop it like any server: `clients.stop()`; stopAllServers() does it too.
 */
export async function startSlowClients(port: number, counts: SlowClientCounts): Promise<ServerProcess> {
  const clients = new ServerProcess({
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      'tools/harness/slow-clients-main.ts',
      `--port=${port}`,
      `--trickling=${counts.trickling}`,
      `--silent=${counts.silent}`,
      `--interval-ms=${counts.intervalMs ?? 1_000}`,
    ],
    cwd: REPO_ROOT,
    isReady: () => false,
    // A soft limit of 1024 open files (a common default) is too few for a thousand sockets.
    fdLimit: counts.trickling + counts.silent + FILES_BESIDES_CONNECTIONS,
  });
  await clients.waitForLog((entry) => entry.event === 'slow_clients_open', 60_000);
  return clients;
}

/** The latest count of connections the server has closed (zeros before the first). */
export function closedSoFar(clients: ServerProcess): SlowClientsClosed {
  const last = clients.logs.findLast((entry) => entry.event === 'slow_clients_closed') as SlowClientsClosed | undefined;
  return last ?? { event: 'slow_clients_closed', closed: 0, answered: 0, json_408: 0 };
}
