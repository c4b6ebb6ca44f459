// How Node listens and closes: the app on @hono/node-server's http.Server.
import { createAdaptorServer } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../../src/config.ts';
import type { Listen } from '../../src/serve/listener.ts';
import { answerClientError } from './client-error.ts';
import { guardConnections } from './connection-guard.ts';
import { manageConnections, NODE_SERVER_OPTIONS } from './connections.ts';

/**
 * Connections waiting to be accepted. node:http's default is 511: thousands of clients connecting at
 * once overflow it and wait for SYN retries (1 s, then 3 s). Linux caps it at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 65_535;

/**
 * `maxConnections`: past it a new connection is closed at once (Infinity: no cap). `exclusive`: a
 * cluster worker binds a port of its own instead of sharing the primary's (the private port a
 * least-busy balancer connects to, adapters/balancer/).
 */
export function listenNode(
  { host, port }: Pick<ServerConfig, 'host' | 'port'>,
  maxConnections: number,
  exclusive = false,
): Listen {
  return (fetch, events) =>
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
        // Once listening, an 'error' is a failed accept (libuv itself absorbs EMFILE and ENFILE, by
        // accepting and closing the connection on a spare descriptor): without a listener it would
        // be thrown and end the process.
        server.on('error', (error) => events.acceptFailed(error));
        const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
        const closed = new Promise<void>((resolveClosed) => server.once('close', () => resolveClosed()));
        let drained: Promise<void> | undefined;
        resolve({
          url,
          connections: counts,
          close(force) {
            if (!force) return (drained ??= connections.drain());
            if (server.listening) server.close();
            connections.closeAll();
            return closed;
          },
        });
      });
      const connections = manageConnections(server);
      const counts = guardConnections(server, maxConnections);
      server.on('clientError', answerClientError);
      // A port in use or not permitted: reported before the listening callback, never after.
      server.once('error', reject);
    });
}
