// How Node listens and closes: the app on @hono/node-server's http.Server.
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../../src/config.ts';
import type { Listen } from '../../src/serve/listener.ts';
import { answerClientError } from './client-error.ts';
import { manageConnections, NODE_SERVER_OPTIONS } from './connections.ts';

/**
 * Connections waiting to be accepted. node:http's default is 511: thousands of clients connecting at
 * once overflow it and wait for SYN retries (1 s, then 3 s). Linux caps it at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 65_535;

/**
 * `exclusive`: a cluster worker binds a port of its own instead of sharing the primary's (the
 * private port a least-busy balancer connects to, adapters/balancer/).
 */
export function listenNode({ host, port }: Pick<ServerConfig, 'host' | 'port'>, exclusive = false): Listen {
  return (fetch) =>
    new Promise((resolve, reject) => {
      const server = createAdaptorServer({
        fetch,
        hostname: host,
        serverOptions: NODE_SERVER_OPTIONS,
        // Not @hono/node-server's clean-up of unread bodies, which destroys the socket 500 ms after
        // an answer that promised keep-alive: ./connections.ts reads or refuses them instead.
        autoCleanupIncoming: false,
      }) as Server; // a node:http server unless given another createServer
      server.listen({ port, host, backlog: LISTEN_BACKLOG, exclusive }, () => {
        const info = server.address() as AddressInfo;
        server.off('error', reject);
        const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
        const closed = new Promise<void>((resolveClosed) => server.once('close', () => resolveClosed()));
        let drained: Promise<void> | undefined;
        resolve({
          url,
          close(force) {
            if (!force) return (drained ??= connections.drain());
            if (server.listening) server.close();
            connections.closeAll();
            return closed;
          },
        });
      });
      const connections = manageConnections(server);
      server.on('clientError', answerClientError);
      // A port in use or not permitted: reported before the listening callback, never after.
      server.once('error', reject);
    });
}
