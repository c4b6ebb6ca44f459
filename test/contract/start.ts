// Starts the runtime under test on a free loopback port.
import { freePort } from '../support/free-port.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import type { RuntimeUnderTest, ServerSettings } from './runtimes.ts';

export interface StartedServer {
  process: ServerProcess;
  url: string;
  port: number;
}

export async function startRuntime(runtime: RuntimeUnderTest, settings: ServerSettings = {}): Promise<StartedServer> {
  const port = await freePort();
  const { command, args, env } = runtime.command(port, settings);
  const server = await startServer({
    command,
    args,
    ...(env ? { env } : {}),
    isReady: (s) => runtime.isReady(s, port),
    readyTimeoutMs: 60_000,
  });
  return { process: server, url: `http://127.0.0.1:${port}`, port };
}
