// How Node listens and closes: the app on @hono/node-server's http.Server.
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { ServerConfig } from '../../src/config.ts';
import type { Listen } from '../../src/serve/listener.ts';
import { answerClientError } from './client-error.ts';

export function listenNode({ host, port }: Pick<ServerConfig, 'host' | 'port'>): Listen {
  return (fetch) =>
    new Promise((resolve, reject) => {
      const server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => {
        server.off('error', reject);
        const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
        const closed = new Promise<void>((resolveClosed) => server.once('close', () => resolveClosed()));
        resolve({
          url,
          close(force) {
            if (force) {
              if ('closeAllConnections' in server) server.closeAllConnections();
            } else if (server.listening) {
              // close() refuses new connections; 'close' fires once the last connection has ended.
              server.close();
              if ('closeIdleConnections' in server) server.closeIdleConnections();
            }
            return closed;
          },
        });
      });
      server.on('clientError', answerClientError);
      // A port in use or not permitted: reported before the listening callback, never after.
      server.once('error', reject);
    });
}
