// Starts a runtime of the matrix on a free loopback port and says when it takes requests.
import { freePort } from './free-port.ts';
import { request } from './http-client.ts';
import { REPO_ROOT } from './repo-root.ts';
import type { RuntimeUnderTest, ServerSettings } from './runtimes.ts';
import { startServer, type ServerProcess } from './server-process.ts';
import { FILES_BESIDES_CONNECTIONS } from './slow-clients.ts';

export interface StartedServer {
  process: ServerProcess;
  url: string;
  port: number;
  /** The processes serving it: its --workers, 1 for a lone process (CONTRACT_WORKERS included). */
  workers: number;
}

/** How to start the process, beside the server's own settings. */
export interface StartProcessOptions {
  /** See StartOptions.fdLimit: for a server that must hold many connections. */
  fdLimit?: number;
  /**
   * Connections the server must hold at once: its open-file limit is raised to what they take in the
   * shape it is started in, plus FILES_BESIDES_CONNECTIONS. A supervisor that carries the bytes holds
   * two files a connection, its client's and its child's (docs/runtimes.md#balancing---balance).
   */
  holdsConnections?: number;
}

export async function startRuntime(
  runtime: RuntimeUnderTest,
  settings: ServerSettings = {},
  options: StartProcessOptions = {},
): Promise<StartedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const shape = withContractWorkers(runtime, settings);
  const { command, args, env } = runtime.command(port, shape);
  const { holdsConnections, ...processOptions } = options;
  if (holdsConnections !== undefined)
    processOptions.fdLimit = holdsConnections * filesPerConnection(shape) + FILES_BESIDES_CONNECTIONS;
  // With `--log off` there is no server_ready line to wait on: an answer from /health says it instead.
  const isReady =
    settings.log === 'off' ? () => answersHealth(url) : (server: ServerProcess) => runtime.isReady(server, port);
  const server = await startServer({
    command,
    args,
    cwd: REPO_ROOT,
    ...(env ? { env } : {}),
    isReady,
    readyTimeoutMs: 60_000,
    ...processOptions,
  });
  return { process: server, url, port, workers: shape.workers ?? 1 };
}

export async function answersHealth(url: string): Promise<boolean> {
  try {
    return (await request(`${url}/health`)).status === 200;
  } catch {
    return false;
  }
}

/**
 * CONTRACT_WORKERS=N runs every server a suite starts with `--workers N` (where it asks for no
 * workers of its own and the runtime has them): the same suites, through the supervisor's balancer.
 */
function withContractWorkers(runtime: RuntimeUnderTest, settings: ServerSettings): ServerSettings {
  const workers = contractWorkers();
  if (!runtime.hasWorkers || settings.workers !== undefined || workers === undefined) return settings;
  return { ...settings, workers };
}

/** CONTRACT_WORKERS when it asks for more than one process, else undefined. */
export function contractWorkers(): number | undefined {
  const workers = Number(process.env.CONTRACT_WORKERS);
  return workers > 1 ? workers : undefined;
}

/**
 * Open files the server holds for each connection: two where a supervisor carries the bytes
 * (`--balance` least-busy, and round-robin on Bun and Deno; Node's round-robin hands the socket over
 * and needs one, where two do no harm), one where each process accepts its own.
 */
function filesPerConnection(settings: ServerSettings): number {
  const workers = settings.workers ?? 1;
  return workers > 1 && settings.balance !== 'kernel' ? 2 : 1;
}
