// The first thing a supervisor does under a balance it picks itself: take the public port, alone.
// A port in use ends the start here, before any child runs, with exit 1 and the reason, as a lone
// server fails (src/serve/serve-process.ts).
import process from 'node:process';
import type { ServerConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import type { BalancerChildState } from '../../src/observability/scrape-collector.ts';
import { createAcceptErrorLog, type AcceptErrorLog } from '../../src/serve/accept-errors.ts';
import { EXIT_FAILED } from '../../src/serve/exit-codes.ts';
import type { SupervisorBalancer } from '../../src/serve/supervision.ts';
import { TcpBalancer } from './tcp-balancer.ts';

/**
 * The supervisor's listener on the public port, carrying each connection's bytes to the child that
 * src/serve/balance.ts picks. One carrier on node:net serves the three runtimes (./tcp-balancer.ts);
 * a runtime whose node:net will not do brings its own (Deno: adapters/deno/deno-balancer.ts).
 */
export interface Balancer extends SupervisorBalancer {
  /** Binds the public port alone (no SO_REUSEPORT: a second server on it fails); resolves with the port bound. */
  listen(host: string, port: number): Promise<number>;
  /** A child that listens on `port` (loopback) takes connections from now on. */
  add(pid: number, port: number): void;
  /** A child that is gone or stopping takes no new connection; those it has end with it. */
  remove(pid: number): void;
  /** Stops accepting new connections; those open go on until their child closes them. */
  close(): void;
  stats(): BalancerChildState[];
  /** Connections the balancer failed to accept (EMFILE…), counted and logged by `acceptErrors`. */
  readonly acceptErrors: number;
}

export type BalancerCarrier = (mode: 'least-busy' | 'round-robin', acceptErrors: AcceptErrorLog) => Balancer;

/** node:net's carrier, Node's (Bun and Deno bring their own). */
export const nodeNetCarrier: BalancerCarrier = (mode, acceptErrors) => new TcpBalancer(mode, acceptErrors);

export async function openBalancer(
  config: ServerConfig,
  logger: Logger,
  mode: 'least-busy' | 'round-robin',
  carrier: BalancerCarrier = nodeNetCarrier,
): Promise<{ balancer: Balancer; port: number }> {
  const balancer = carrier(
    mode,
    createAcceptErrorLog(logger, process.pid, () => performance.now()),
  );
  try {
    return { balancer, port: await balancer.listen(config.host, config.port) };
  } catch (error) {
    const message = `Cannot listen on ${config.host}:${config.port}: ${error instanceof Error ? error.message : String(error)}`;
    logger.error('error', message, { worker_id: process.pid });
    // With --log off the logger is silent, and a server that cannot start must still say why.
    if (config.log === 'off') console.error(`error: ${message}`);
    return process.exit(EXIT_FAILED);
  }
}
