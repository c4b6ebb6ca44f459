// The first thing a supervisor does under a balance it picks itself: take the public port, alone.
// A port in use ends the start here, before any child runs, with exit 1 and the reason, as a lone
// server fails (src/serve/serve-process.ts).
import process from 'node:process';
import type { ServerConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';
import { EXIT_FAILED } from '../../src/serve/exit-codes.ts';
import { TcpBalancer } from './tcp-balancer.ts';

export async function openBalancer(
  config: ServerConfig,
  logger: Logger,
  mode: 'least-busy' | 'round-robin',
): Promise<{ balancer: TcpBalancer; port: number }> {
  const balancer = new TcpBalancer(mode);
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

/** A URL for `host`:`port`, IPv6 in brackets. */
export function urlOf(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
