// Starts a runtime of the matrix on a free loopback port and says when it takes requests.
import { freePort } from './free-port.ts';
import { request } from './http-client.ts';
import { REPO_ROOT } from './repo-root.ts';
import type { RuntimeUnderTest, ServerSettings } from './runtimes.ts';
import { startServer, type ServerProcess } from './server-process.ts';

export interface StartedServer {
  process: ServerProcess;
  url: string;
  port: number;
}

/** How to start the process, beside the server's own settings. */
export interface StartProcessOptions {
  /** See StartOptions.fdLimit: for a server that must hold many connections. */
  fdLimit?: number;
}

export async function startRuntime(
  runtime: RuntimeUnderTest,
  settings: ServerSettings = {},
  options: StartProcessOptions = {},
): Promise<StartedServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { command, args, env } = runtime.command(port, withContractWorkers(runtime, settings));
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
    ...options,
  });
  return { process: server, url, port };
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
  const workers = Number(process.env.CONTRACT_WORKERS);
  if (!runtime.hasWorkers || settings.workers !== undefined || !(workers > 1)) return settings;
  return { ...settings, workers };
}
