// A flood of silent connections against a server, from a process of its own (./flood-main.ts), whose
// open-file limit is raised so that the flood is limited by the server's, not its own.
import { REPO_ROOT } from './repo-root.ts';
import { ServerProcess } from './server-process.ts';
import { FILES_BESIDES_CONNECTIONS } from './slow-clients.ts';

export interface FloodOpen {
  event: 'flood_open';
  /** Connections the handshake completed for (the server may have closed some at once since). */
  connected: number;
  /** Connections refused, or not accepted within the flood's connect timeout. */
  failed: number;
}

/** Starts the flood against 127.0.0.1:`port` and resolves once every connection attempt has settled. */
export async function startFlood(
  port: number,
  connections: number,
): Promise<{ flood: ServerProcess; open: FloodOpen }> {
  const flood = new ServerProcess({
    command: process.execPath,
    args: ['--import', 'tsx', 'tools/harness/flood-main.ts', `--port=${port}`, `--connections=${connections}`],
    cwd: REPO_ROOT,
    isReady: () => false,
    fdLimit: connections + FILES_BESIDES_CONNECTIONS,
  });
  const open = (await flood.waitForLog((entry) => entry.event === 'flood_open', 120_000)) as unknown as FloodOpen;
  return { flood, open };
}

/** Connections the server has closed so far. */
export function floodClosed(flood: ServerProcess): number {
  const last = flood.logs.findLast((entry) => entry.event === 'flood_closed');
  return last ? Number(last.closed) : 0;
}
