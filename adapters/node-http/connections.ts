// Node's part of src/serve/connections.ts, on the node:http server under @hono/node-server: explicit
// timeouts, answers sent before the request body was read, and a drain that closes kept-alive
// connections as they go idle instead of waiting for them.
//
// Why it is needed. node:http's server.close() closes only the connections idle at that moment: a
// client that keeps sending on a connection that was busy is served for as long as it likes. And an
// app that answers before reading the body (413 from Content-Length) leaves Hono's request stream
// holding the socket paused; @hono/node-server then destroys the socket 500 ms later
// (drainIncoming's forceClose, `autoCleanupIncoming`), after an answer that promised keep-alive, so
// the client's next request on it fails with "other side closed".
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { CONNECTION_TIMEOUTS, UNREAD_BODY_DISCARD_BYTES } from '../../src/serve/connections.ts';

/**
 * http.createServer options. Node checks its header and request deadlines on a timer, every 30 s by
 * default, so a 10 s deadline could take up to 40 s; every second keeps it near its value.
 * `requestTimeoutMs` (--request-timeout) is the app's deadline for a body it reads (src/app.ts answers
 * 408 and counts it); node:http's own is one check later, so that the app's answers first, and it
 * still ends a body the app never reads (./client-error.ts). node:http refuses a header deadline
 * above the request deadline.
 */
export function nodeServerOptions(requestTimeoutMs: number): ServerOptions {
  return {
    headersTimeout: Math.min(CONNECTION_TIMEOUTS.headersMs, requestTimeoutMs),
    requestTimeout: requestTimeoutMs + CHECK_INTERVAL_MS,
    keepAliveTimeout: CONNECTION_TIMEOUTS.idleMs,
    connectionsCheckingInterval: CHECK_INTERVAL_MS,
    // Not node:http's own 400 with an empty body to an HTTP/1.1 request without Host: ./listen.ts answers it in JSON.
    requireHostHeader: false,
  };
}
const CHECK_INTERVAL_MS = 1_000;

/**
 * How long a connection closed with its request body unread still reads what the client sends, so
 * that a client still writing its body reads our answer instead of a reset (nginx's lingering close;
 * Go waits 500 ms). Closing a socket with unread data makes the kernel send RST, which can reach the
 * client before it has read the answer.
 */
export const LINGER_MS = 2_000;

export interface NodeConnections {
  /**
   * Stops accepting; closes idle connections now and every other one once its answer has gone (the
   * drain gate makes those answers say `Connection: close`); resolves when no request is in flight.
   */
  drain(): Promise<void>;
  /** Closes every connection now. */
  closeAll(): void;
}

/** Requests in flight on a connection, kept on the socket itself (a property is cheaper than a map on the hot path). */
const IN_FLIGHT = Symbol('requests in flight');
/** The connection's latest request and its response: ./client-error.ts asks whether a parser error is in its body. */
const LATEST = Symbol('latest request');
/** Called once no answer is in flight on the connection any more (./client-error.ts answers then). */
const WHEN_ANSWERED = Symbol('when answered');
type CountedSocket = Socket & {
  [IN_FLIGHT]?: number;
  [LATEST]?: ServerResponse;
  [WHEN_ANSWERED]?: () => void;
};

/** What ./client-error.ts needs to know of a connection before it writes on it. */
export interface ConnectionState {
  /** Requests handed to the app whose answers have not all gone yet. */
  inFlight: number;
  /** The response to the latest request handed to the app on this connection, if any. */
  latest: ServerResponse | undefined;
}

export function connectionState(socket: Socket): ConnectionState {
  const counted = socket as CountedSocket;
  return { inFlight: counted[IN_FLIGHT] ?? 0, latest: counted[LATEST] };
}

/** Runs `then` once every answer in flight on the connection has been sent, or the connection closed (at once if none is). */
export function afterAnswers(socket: Socket, then: () => void): void {
  const counted = socket as CountedSocket;
  if ((counted[IN_FLIGHT] ?? 0) === 0) then();
  else counted[WHEN_ANSWERED] = then;
}

/** `requestTimeoutMs`: when a body the app answered without reading must have arrived whole (--request-timeout). */
export function manageConnections(server: Server, requestTimeoutMs: number): NodeConnections {
  // Requests in flight, on the server and on each connection. A response is counted out when it is
  // sent, or when its connection closes first: node:http emits no event at all for an answer still
  // queued behind another on a connection that closes (a pipelined request).
  let inFlight = 0;
  let draining = false;
  let whenIdle: (() => void) | undefined;

  const countOut = (socket: CountedSocket, count: number): void => {
    if (count === 0) return;
    socket[IN_FLIGHT] = (socket[IN_FLIGHT] ?? 0) - count;
    inFlight -= count;
    const whenAnswered = socket[WHEN_ANSWERED];
    if (whenAnswered && socket[IN_FLIGHT] === 0) {
      socket[WHEN_ANSWERED] = undefined;
      whenAnswered();
    }
    if (!draining) return;
    closeIdleSoon();
    if (inFlight === 0) whenIdle?.();
  };
  // A connection whose answer promised keep-alive just before the drain began is idle once that
  // answer has gone. closeIdleConnections() walks every open connection: once an event-loop turn,
  // not once an answer (a drain of 10,000 connections spent seconds of CPU walking them).
  let closeIdleQueued = false;
  const closeIdleSoon = (): void => {
    if (closeIdleQueued) return;
    closeIdleQueued = true;
    setImmediate(() => {
      closeIdleQueued = false;
      server.closeIdleConnections();
    });
  };
  // Shared by every response and connection: no closure a request.
  function responseClosed(this: ServerResponse): void {
    const socket: CountedSocket = this.req.socket;
    // Not if its connection's close has counted it out already.
    if ((socket[IN_FLIGHT] ?? 0) > 0) countOut(socket, 1);
  }
  function connectionClosed(this: CountedSocket): void {
    countOut(this, this[IN_FLIGHT] ?? 0);
  }

  server.on('connection', (socket: Socket) => socket.on('close', connectionClosed));
  // Before @hono/node-server's own listener, so that this runs before any answer can be written.
  server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket: CountedSocket = request.socket;
    inFlight++;
    socket[IN_FLIGHT] = (socket[IN_FLIGHT] ?? 0) + 1;
    socket[LATEST] = response;
    response.on('close', responseClosed);
    const length = request.headers['content-length'];
    if ((length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined)
      guardUnreadBody(request, response, requestTimeoutMs);
  });

  return {
    drain() {
      draining = true;
      server.close(); // refuses new connections; Node closes the idle ones too
      server.closeIdleConnections();
      return inFlight === 0 ? Promise.resolve() : new Promise((resolve) => (whenIdle = resolve));
    },
    closeAll() {
      server.closeAllConnections();
    },
  };
}

/** A body the app may answer before reading whole: kept and thrown away if small, else the connection closes after the answer. */
function guardUnreadBody(request: IncomingMessage, response: ServerResponse, requestTimeoutMs: number): void {
  const arrived = performance.now();
  // Decided when the head is written: later the answer has promised keep-alive already. Every way of
  // answering goes through writeHead (write() and end() without it call it themselves).
  const writeHead = response.writeHead;
  response.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!request.complete && !discardable(request)) this.setHeader('Connection', 'close');
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
  // Before node:http's own 'finish' handler, which closes a `Connection: close` socket at once.
  response.prependOnceListener('finish', () => {
    if (request.complete) return;
    // Nothing reads this body any more. The app's stream may have stopped reading it (its queue
    // full) and keeps the socket paused: let it flow into nothing, as node:http does itself with a
    // body nobody touched.
    request.removeAllListeners('data');
    request.resume();
    // A body still trickling is ended at the request deadline. Node's own requestTimeout does it on
    // Node (one check later); Deno's node:http has none for a request already answered
    // (--deno-server node, measured on 2.9.6: held for as long as the body trickled).
    const socket = request.socket;
    const deadline = setTimeout(() => socket.destroy(), requestTimeoutMs - (performance.now() - arrived));
    deadline.unref();
    const cleared = (): void => clearTimeout(deadline);
    request.once('end', cleared);
    socket.once('close', cleared);
    if (!response.shouldKeepAlive || isClose(response.getHeader('connection'))) lingerOnClose(request.socket);
  });
}

/** The rest of the body is known to be small enough to read and throw away: Content-Length within the limit. */
function discardable(request: IncomingMessage): boolean {
  if (request.headers['transfer-encoding'] !== undefined) return false;
  const length = Number(request.headers['content-length']);
  return Number.isSafeInteger(length) && length <= UNREAD_BODY_DISCARD_BYTES;
}

function isClose(value: ReturnType<ServerResponse['getHeader']>): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'close';
}

/**
 * node:http ends a `Connection: close` connection with socket.destroySoon(): our FIN, then close().
 * Here it sends the FIN and goes on reading (into nothing) until the client closes its side or
 * LINGER_MS pass; node:http ends the socket when the client's FIN arrives.
 */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function (this: Socket) {
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
  };
}
