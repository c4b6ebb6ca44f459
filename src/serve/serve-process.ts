// The lifecycle of one server process, the same on every process runtime (Node, Bun, Deno): build
// the app, listen, say so, and on SIGINT/SIGTERM stop accepting, let in-flight requests finish
// within --shutdown-timeout (kept-alive connections told to close, ./connections.ts), close the
// thread pool and exit. A runtime supplies only how to listen and how to close (./listener.ts);
// nothing here names a runtime.
import type { DocsAssetSource } from '../docs-ui/docs-routes.ts';
import { createApp } from '../app.ts';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createLoopLagMonitor } from '../loop-lag.ts';
import { Metrics } from '../metrics.ts';
import { processSnapshot } from '../observability/process-snapshot.ts';
import { SupervisorLink, type SupervisorChannel } from '../observability/supervisor-link.ts';
import type { Runtime } from '../runtime.ts';
import { createAcceptErrorLog } from './accept-errors.ts';
import { createDrainGate } from './connections.ts';
import { heldSignal } from './early-signal.ts';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.ts';
import type { HostProcess, Listen, Listener } from './listener.ts';
import { logServerReady } from './server-ready.ts';

export interface ServeProcessOptions {
  config: ServerConfig;
  logger: Logger;
  /** The runtime the app runs on; its thread pool, if any, is closed once the server has drained. */
  runtime: Runtime;
  listen: Listen;
  host: HostProcess;
  /** Names the runtime in the ready line, e.g. "bun 1.4.5". */
  runtimeLabel: string;
  /**
   * Who says that the port is open. A lone server logs `server_ready` itself (the default); a process
   * of `--workers N` tells its supervisor instead, which announces once all of them listen.
   */
  reportReady?: (url: string) => void;
  /**
   * A process of `--workers N`: its channel to the supervisor. GET /metrics and /info then answer for
   * every process, collected through the supervisor (../observability/supervisor-link.ts).
   */
  supervisor?: SupervisorChannel;
  /** How this runtime reads Swagger UI's files for GET /docs; served only with --docs on. */
  docsAssets?: DocsAssetSource;
}

export interface ServingProcess {
  /** Drains and exits; the same as SIGTERM. Safe to call more than once. */
  stop(reason: string): Promise<void>;
}

export async function serveProcess(options: ServeProcessOptions): Promise<ServingProcess> {
  const { config, logger, runtime, host } = options;
  const who = { worker_id: host.pid };
  const loopLag = createLoopLagMonitor(runtime.now);
  const metrics = new Metrics();
  const cluster =
    options.supervisor && new SupervisorLink(options.supervisor, () => processSnapshot(metrics, runtime, loopLag));
  // Once a stop begins, every answer says `Connection: close`, late requests get 503, and the
  // app's long-lived answers end.
  const gate = createDrainGate();
  const app = createApp({
    runtime,
    defaultMode: config.mode,
    maxDelayMs: config.maxDelayMs,
    logger,
    loopLag,
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    requestTimeoutMs: config.requestTimeoutMs,
    metrics,
    cluster,
    labUi: config.labUi,
    ...(config.docsUi && options.docsAssets ? { docs: options.docsAssets } : {}),
    drain: gate.signal,
  });

  // Installed before listening: a SIGTERM that comes while the port is being opened (a supervisor
  // stopping a process it just started) is a stop like any other, done once listening (exit 0 with
  // its log), not the runtime's default death by signal.
  let requestedStop: string | undefined = heldSignal();
  let onSignal = (signal: string): void => void (requestedStop ??= signal);
  host.on('SIGINT', () => onSignal('SIGINT'));
  host.on('SIGTERM', () => onSignal('SIGTERM'));

  const acceptErrors = createAcceptErrorLog(logger, host.pid, runtime.now);
  let listener: Listener;
  try {
    listener = await options.listen(gate.wrap(app.fetch), {
      acceptFailed: (error) => acceptErrors.acceptFailed(error),
      answeredWithoutApp: (route, method, status) => metrics.requestAnsweredWithoutApp(route, method, status),
    });
  } catch (error) {
    const message = `Cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`;
    logger.error('error', message, who);
    // With --log off the logger is silent, and a server that cannot start must still say why.
    if (config.log === 'off') console.error(`error: ${message}`);
    loopLag.stop();
    return host.exit(EXIT_FAILED);
  }

  const counted = listener;
  metrics.connections = () => ({ acceptErrors: acceptErrors.count, ...counted.connections?.() });

  if (options.reportReady) options.reportReady(listener.url);
  else
    logServerReady(logger, {
      runtimeLabel: options.runtimeLabel,
      url: listener.url,
      processes: 1,
      mode: config.mode,
      pid: host.pid,
      labUi: config.labUi,
    });

  let stopping: Promise<void> | undefined;
  const stop = (reason: string): Promise<void> =>
    (stopping ??= (async () => {
      let deadline: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<'timed out'>(
        (resolve) => (deadline = setTimeout(() => resolve('timed out'), config.shutdownTimeoutMs)),
      );
      gate.beginDrain();
      // Once the requests in flight are answered, what is still open has no request to answer (a
      // client still sending its headers, or silent): it is closed rather than waited for.
      const drained = listener
        .close(false)
        .then(() => listener.close(true))
        .then(() => runtime.pool?.close());
      // Logged once the listener is closed: from here on a new connection is refused.
      logger.info('server_stopping', `${reason}: no new connections; waiting for in-flight requests`, who);
      if ((await Promise.race([drained, timedOut])) === 'timed out') {
        // Requests still running now are cut off, so that a stop always ends.
        logger.warn(
          'server_stopping',
          `Shutdown timeout (${config.shutdownTimeoutMs} ms): closing open connections`,
          who,
        );
        await listener.close(true);
      }
      clearTimeout(deadline);
      loopLag.stop();
      logger.info('server_stopped', 'Stopped', who);
      // Exiting ends whatever is still open, the pool's threads included.
      host.exit(EXIT_OK);
    })());
  onSignal = (signal) => void stop(signal);
  if (requestedStop) void stop(requestedStop);
  return { stop };
}
