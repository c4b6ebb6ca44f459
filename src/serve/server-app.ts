// The app as a process-based runtime (Node, Bun, Deno) serves it: configured from its ServerConfig,
// with an event-loop lag monitor for /metrics and for --max-event-loop-delay.
import { createApp } from '../app.ts';
import type { Logger } from '../logger.ts';
import { createLoopLagMonitor, type LoopLagMonitor } from '../loop-lag.ts';
import type { Runtime } from '../runtime.ts';
import type { ServerConfig } from '../config.ts';

export interface ServerApp {
  app: ReturnType<typeof createApp>;
  /** Stop it when the server stops, so that its timer does not outlive the server. */
  loopLag: LoopLagMonitor;
}

export function createServerApp(runtime: Runtime, config: ServerConfig, logger: Logger): ServerApp {
  const loopLag = createLoopLagMonitor(runtime.now);
  const app = createApp({
    runtime,
    defaultMode: config.mode,
    maxDelayMs: config.maxDelayMs,
    logger,
    loopLag,
    maxEventLoopDelayMs: config.maxEventLoopDelayMs,
    labUi: config.labUi,
  });
  return { app, loopLag };
}

