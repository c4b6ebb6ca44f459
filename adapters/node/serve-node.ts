// One Node server process: the app on @hono/node-server, with a graceful shutdown on SIGINT/SIGTERM.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../src/logger.ts';
import type { ProcessInfo } from '../../src/runtime.ts';
import type { ServerConfig } from '../../src/config.ts';
import { createServerApp } from '../../src/serve/server-app.ts';
import { labReadyNote } from '../../src/lab-ui/lab-ready.ts';
import { createNodeRuntime } from './node-runtime.ts';
import { answerClientError } from './client-error.ts';
import { TinypoolThreadPool } from '../tinypool/tinypool-thread-pool.ts';

/**
 * Serves until SIGINT or SIGTERM, then stops accepting, lets in-flight requests finish (at most
 * shutdownTimeoutMs), closes the pool and exits 0. `announce` says whether this process reports
 * `server_ready` itself (a lone server) or leaves it to its cluster primary.
 */
export function serveNode(config: ServerConfig, logger: Logger, processes: ProcessInfo, announce: boolean): void {
  const pool = new TinypoolThreadPool({
    taskModule: new URL('./pool-task.js', import.meta.url),
    maxThreads: config.poolThreads,
    maxQueue: config.maxQueue,
  });
  const runtime = createNodeRuntime(pool, processes);
  const { app, loopLag } = createServerApp(runtime, config, logger);
  const who = { worker_id: process.pid };

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info: AddressInfo) => {
    const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
    if (announce) {
      const lab = labReadyNote(config, url);
      logger.info('server_ready', `Concurrency Lab (node ${process.versions.node}) listening on ${url}, mode ${config.mode}${lab.text}`, {
        ...who,
        url,
        processes: 1,
        ...lab.fields,
      });
    }
  });
  server.on('clientError', answerClientError);
  server.on('error', (error: NodeJS.ErrnoException) => {
    logger.error('error', `Cannot listen on ${config.host}:${config.port}: ${error.message}`, who);
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    // Requests still running when the timeout ends are cut off, so that a stop always ends.
    const deadline = setTimeout(() => {
      logger.warn('server_stopping', `Shutdown timeout (${config.shutdownTimeoutMs} ms): closing open connections`, who);
      if ('closeAllConnections' in server) server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    deadline.unref();
    server.close(() => {
      loopLag.stop();
      void pool.close().finally(() => {
        logger.info('server_stopped', 'Stopped', who);
        process.exit(0);
      });
    });
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    // Logged once the listening socket is closed: from here on a new connection is refused.
    logger.info('server_stopping', `${signal}: no new connections; waiting for in-flight requests`, who);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
