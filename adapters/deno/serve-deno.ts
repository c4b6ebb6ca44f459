// One Deno server process: the app on Deno.serve, with a graceful shutdown on SIGINT/SIGTERM.
import type { Logger } from '../../src/logger.ts';
import type { ProcessInfo } from '../../src/runtime.ts';
import type { ServerConfig } from '../../src/config.ts';
import { createServerApp } from '../../src/serve/server-app.ts';
import { createDenoRuntime } from './deno-runtime.ts';
import { DenoThreadPool } from './deno-thread-pool.ts';

export interface ServeOptions {
  config: ServerConfig;
  logger: Logger;
  processes: ProcessInfo;
  /** Several processes share the port (SO_REUSEPORT: Deno requires --unstable-net for it). */
  reusePort: boolean;
  /** Called once the port is open: a lone server announces server_ready, a child tells its supervisor. */
  onListening: (url: string) => void;
}

export interface RunningServer {
  /** Stops accepting, lets in-flight requests finish (at most shutdownTimeoutMs), closes the pool, exits 0. */
  stop(reason: string): Promise<void>;
}

export function serveDeno({ config, logger, processes, reusePort, onListening }: ServeOptions): RunningServer {
  const pool = new DenoThreadPool({ maxThreads: config.poolThreads, maxQueue: config.maxQueue });
  const runtime = createDenoRuntime(pool, processes);
  const { app, loopLag } = createServerApp(runtime, config, logger);
  const who = { worker_id: Deno.pid };

  let server: Deno.HttpServer;
  try {
    server = Deno.serve(
      {
        hostname: config.host,
        port: config.port,
        reusePort,
        // Without onListen Deno prints its own "Listening on" line to stderr.
        onListen: ({ hostname, port }) => onListening(`http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`),
      },
      app.fetch,
    );
  } catch (error) {
    // Deno.serve opens the port synchronously: a port in use or a missing --allow-net ends up here.
    const hint = error instanceof Deno.errors.NotCapable ? ` (start it with --allow-net=${netPermission(config)})` : '';
    logger.error('error', `Cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}${hint}`, who);
    if (config.log === 'off') console.error(`error: cannot listen on ${config.host}:${config.port}${hint}`);
    Deno.exit(1);
  }

  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> =>
    (stopping ??= (async () => {
      let deadline: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<true>((resolve) => (deadline = setTimeout(() => resolve(true), config.shutdownTimeoutMs)));
      // shutdown() stops accepting at once and resolves when in-flight requests have been answered.
      const drained = server.shutdown().then(() => pool.close());
      // Logged once the listener is closed: from here on a new connection is refused.
      logger.info('server_stopping', `${reason}: no new connections; waiting for in-flight requests`, who);
      loopLag.stop();
      if ((await Promise.race([drained, timedOut])) === true) {
        logger.warn('server_stopping', `Shutdown timeout (${config.shutdownTimeoutMs} ms): closing open connections`, who);
      }
      clearTimeout(deadline);
      logger.info('server_stopped', 'Stopped', who);
      // Exiting closes whatever is still open, the pool's threads included.
      Deno.exit(0);
    })());
  Deno.addSignalListener('SIGINT', () => void stop('SIGINT'));
  Deno.addSignalListener('SIGTERM', () => void stop('SIGTERM'));
  return { stop };
}

/** The --allow-net value that lets this configuration listen: host:port, IPv6 in brackets. */
export function netPermission({ host, port }: Pick<ServerConfig, 'host' | 'port'>): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
