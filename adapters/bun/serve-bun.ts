// One Bun server process: the app on Bun.serve, with a graceful shutdown on SIGINT/SIGTERM (and, when
// supervised, when the supervisor goes away).
import type { Logger } from '../../src/logger.ts';
import type { ServerConfig } from '../../src/config.ts';
import { createServerApp } from '../../src/serve/server-app.ts';
import { labReadyNote } from '../../src/lab-ui/lab-ready.ts';
import { TinypoolThreadPool } from '../tinypool/tinypool-thread-pool.ts';
import { onSupervisorGone, reportChildReady, reusePortProcesses } from '../reuse-port/supervised-child.ts';
import { createBunRuntime } from './bun-runtime.ts';

/**
 * Serves until SIGINT or SIGTERM, then stops accepting, lets in-flight requests finish (at most
 * shutdownTimeoutMs), closes the pool and exits 0. A supervised process shares the port with its
 * siblings (reusePort) and tells its supervisor when it listens instead of announcing `server_ready`.
 */
export function serveBun(config: ServerConfig, logger: Logger, supervised: boolean): void {
  // The same tinypool pool as on Node, given a task module Bun runs as TypeScript without a loader.
  const pool = new TinypoolThreadPool({
    taskModule: new URL('./pool-task.ts', import.meta.url),
    maxThreads: config.poolThreads,
    maxQueue: config.maxQueue,
  });
  const runtime = createBunRuntime(pool, supervised ? reusePortProcesses(config.workers) : { count: 1, balancing: 'one process' });
  const { app, loopLag } = createServerApp(runtime, config, logger);
  const who = { worker_id: process.pid };

  let server: Bun.Server<undefined>;
  try {
    server = Bun.serve({
      port: config.port,
      hostname: config.host,
      // Every process of `--workers N` binds the same port; the kernel picks one per connection.
      reusePort: supervised,
      // Not Bun's HTML error pages: the app answers every error in JSON itself.
      development: false,
      fetch: app.fetch,
    });
  } catch (error) {
    logger.error('error', `Cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`, who);
    process.exit(1);
  }

  const url = server.url.origin;
  if (supervised) reportChildReady();
  else {
    const lab = labReadyNote(config, url);
    logger.info('server_ready', `Concurrency Lab (bun ${Bun.version}) listening on ${url}, mode ${config.mode}${lab.text}`, { ...who, url, processes: 1, ...lab.fields });
  }

  let stopping = false;
  const stop = async (reason: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    // Requests still running when the timeout ends are cut off, so that a stop always ends.
    const deadline = setTimeout(() => {
      logger.warn('server_stopping', `Shutdown timeout (${config.shutdownTimeoutMs} ms): closing open connections`, who);
      void server.stop(true);
    }, config.shutdownTimeoutMs);
    // server.stop() refuses new connections at once, closes idle keep-alive ones, and resolves
    // when the last in-flight response has been sent.
    const drained = server.stop();
    // Logged once the listener is closed: from here on a new connection is refused.
    logger.info('server_stopping', `${reason}: no new connections; waiting for in-flight requests`, who);
    await drained;
    clearTimeout(deadline);
    loopLag.stop();
    await pool.close();
    logger.info('server_stopped', 'Stopped', who);
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  if (supervised) onSupervisorGone((reason) => void stop(reason));
}
