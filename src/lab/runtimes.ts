// The runtime matrix: how to start each runtime's server on a port with some settings, and what
// it can do. The contract suite (test/contract/runtimes.ts re-exports this), the lab and the
// benchmarks all read it. Adding a runtime is adding one entry here and one project in vitest.config.ts.
import type { LogFormat } from '../logger.ts';
import type { Mode, RuntimeName } from '../runtime.ts';
import type { ServerProcess } from './server-process.ts';

/** Server settings a test asks for; each runtime turns them into its own flags or variables. */
export interface ServerSettings {
  mode?: Mode;
  workers?: number;
  poolThreads?: number;
  maxQueue?: number;
  maxDelayMs?: number;
  shutdownTimeoutMs?: number;
  /** JSON lines by default (tests and the lab wait on them); `off` for benchmarks. */
  log?: LogFormat;
}

export interface RuntimeUnderTest {
  name: RuntimeName;
  /** The command that serves the app on 127.0.0.1:`port` with `settings`, logging JSON lines. */
  command(port: number, settings: ServerSettings): { command: string; args: string[]; env?: Record<string, string> };
  /** True once the server takes requests. */
  isReady(server: ServerProcess, port: number): Promise<boolean> | boolean;
  hasPool: boolean;
  /** Whether `--workers N` starts N processes. */
  hasWorkers: boolean;
  /** Whether the server is configured by command-line flags (and rejects bad ones). */
  hasCli: boolean;
  /** Whether SIGTERM drains in-flight requests and exits 0. */
  hasGracefulShutdown: boolean;
}

/** The flags every process-based entry (Node, Bun, Deno) takes, from src/server-config.ts. */
export function toFlags(port: number, settings: ServerSettings): string[] {
  const flags = [`--port=${port}`, '--host=127.0.0.1', `--log=${settings.log ?? 'json'}`];
  if (settings.mode) flags.push(`--mode=${settings.mode}`);
  if (settings.workers) flags.push(`--workers=${settings.workers}`);
  if (settings.poolThreads) flags.push(`--pool-threads=${settings.poolThreads}`);
  if (settings.maxQueue !== undefined) flags.push(`--max-queue=${settings.maxQueue}`);
  if (settings.maxDelayMs !== undefined) flags.push(`--max-delay-ms=${settings.maxDelayMs}`);
  if (settings.shutdownTimeoutMs !== undefined) flags.push(`--shutdown-timeout=${settings.shutdownTimeoutMs}`);
  return flags;
}

const loggedReady = (server: ServerProcess): boolean => server.logs.some((entry) => entry.event === 'server_ready');

export const RUNTIMES: Record<string, RuntimeUnderTest> = {
  node: {
    name: 'node',
    command: (port, settings) => ({
      command: process.execPath,
      args: ['--import', 'tsx', 'adapters/node/main.ts', ...toFlags(port, settings)],
    }),
    isReady: loggedReady,
    hasPool: true,
    hasWorkers: true,
    hasCli: true,
    hasGracefulShutdown: true,
  },
};

export function runtimeUnderTest(): RuntimeUnderTest {
  const name = process.env.CONTRACT_RUNTIME ?? 'node';
  const runtime = RUNTIMES[name];
  if (!runtime) throw new Error(`CONTRACT_RUNTIME=${name} is not in the matrix (${Object.keys(RUNTIMES).join(', ')})`);
  return runtime;
}
