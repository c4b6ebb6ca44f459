// How Node listens and closes: the app on @hono/node-server's request listener, on a node:http server.
// Deno runs it too, on its node:http, with --deno-server node (adapters/deno/main.ts).
import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ServerConfig } from '../../src/config.ts';
import { HttpError, InvalidRequestError, MethodNotAllowedError } from '../../src/errors.ts';
import type { Listen } from '../../src/serve/listener.ts';
import { answerClientError, UNPARSED_ROUTE } from './client-error.ts';
import { guardConnections } from './connection-guard.ts';
import { manageConnections, nodeServerOptions } from './connections.ts';

/**
 * Connections waiting to be accepted. node:http's default is 511: thousands of clients connecting at
 * once overflow it and wait for SYN retries (1 s, then 3 s). Linux caps it at net.core.somaxconn.
 */
const LISTEN_BACKLOG = 65_535;

/** The methods some route answers: what a CONNECT is told to use instead (as the app tells Bun's and Deno's). */
const SERVED_METHODS = ['GET', 'HEAD', 'POST'];

/**
 * `maxConnections`: past it a new connection is closed at once (Infinity: no cap). `exclusive`: a
 * cluster worker binds a port of its own instead of sharing the primary's (the private port a
 * least-busy balancer connects to, adapters/balancer/).
 */
export function listenNode(
  { host, port, requestTimeoutMs }: Pick<ServerConfig, 'host' | 'port' | 'requestTimeoutMs'>,
  maxConnections: number,
  exclusive = false,
): Listen {
  return (fetch, events) =>
    new Promise((resolve, reject) => {
      const count = events.answeredWithoutApp ?? (() => {});
      /** An answer to a request that cannot be turned into the app's web Request: in JSON, and counted. */
      const refused = (error: HttpError): Response => {
        count(UNPARSED_ROUTE, 'OTHER', error.status);
        return error.toResponse();
      };
      const appListener = getRequestListener(fetch, {
        hostname: host,
        // Not @hono/node-server's clean-up of unread bodies, which destroys the socket 500 ms after
        // an answer that promised keep-alive: ./connections.ts reads or refuses them instead.
        autoCleanupIncoming: false,
        // A target the web Request cannot hold (`OPTIONS *`, a backslash, a bad absolute URL):
        // @hono/node-server's own answer is a 400 with no body.
        errorHandler: () => refused(new InvalidRequestError('the request target is not a path this server has')),
      });
      const listener = (request: IncomingMessage, response: ServerResponse): void => {
        // RFC 9112 §3.2: an HTTP/1.1 request without Host is refused (node:http's own refusal has no body).
        if (request.httpVersion === '1.1' && request.headers.host === undefined) {
          void send(response, refused(new InvalidRequestError('an HTTP/1.1 request must have a Host header')));
          return;
        }
        void appListener(request, response);
      };
      const server = createServer(nodeServerOptions(requestTimeoutMs), listener);
      // An `Expect` other than 100-continue: served as if it were absent, as Bun and Deno do (RFC 9110
      // §10.1.1 lets a server answer 417, which node:http does with no body).
      server.on('checkExpectation', listener);
      // CONNECT is for proxies: node:http hands over the socket, and without a listener drops it.
      server.on('connect', (_request: IncomingMessage, socket: Socket) => {
        const error = new MethodNotAllowedError('CONNECT is for proxies, and this server is not one', SERVED_METHODS);
        count('unmatched', 'CONNECT', error.status);
        const body = JSON.stringify({ error: error.code, message: error.message });
        socket.end(
          `HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nAllow: ${SERVED_METHODS.join(', ')}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
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
      const connections = manageConnections(server, requestTimeoutMs);
      const counts = guardConnections(server, maxConnections);
      server.on('clientError', answerClientError(count));
      // A port in use or not permitted: reported before the listening callback, never after.
      server.once('error', reject);
    });
}

/** Writes a web Response's status, headers and (small, whole) body on a node:http response. */
async function send(outgoing: ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  outgoing.writeHead(response.status, { ...Object.fromEntries(response.headers), 'content-length': body.length });
  outgoing.end(body);
}
