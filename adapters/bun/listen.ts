// How Bun listens and closes: the app on Bun.serve.
import type { ServerConfig } from '../../src/config.ts';
import { withinRequestTimeout } from '../../src/request-timeout.ts';
import { CONNECTION_TIMEOUTS, withConnectionClose } from '../../src/serve/connections.ts';
import type { Listen } from '../../src/serve/listener.ts';
import { RequestTimeoutError, ShuttingDownError } from '../../src/errors.ts';
import { beforeDrain } from '../../src/before-drain.ts';

/**
 * Bun.serve's one timeout (seconds): a connection on which nothing moves for this long is closed:
 * idle between requests, or stalled in the middle of one (its headers, its body). It runs while the
 * app works too, so a request longer than it would lose its connection: the timer is paused for
 * each request and started again as its answer goes out.
 */
const IDLE_TIMEOUT_S = CONNECTION_TIMEOUTS.idleMs / 1000;

/** `reusePort`: every process of `--workers N` binds the same port; the kernel picks one per connection. */
export function listenBun(
  { host, port, requestTimeoutMs }: Pick<ServerConfig, 'host' | 'port' | 'requestTimeoutMs'>,
  reusePort: boolean,
): Listen {
  return async (fetch) => {
    let inFlight = 0;
    /** Aborts when the drain begins: a body still being thrown away then holds the answer no longer. */
    const draining = new AbortController();
    let whenIdle: (() => void) | undefined;
    const answered = (): void => {
      inFlight--;
      if (inFlight === 0) whenIdle?.();
    };
    /** The answer once it is ready and the request's body has been read or given up on. */
    const answerLater = async (request: Request, answer: Response | Promise<Response>): Promise<Response> => {
      const response = await answer;
      // A body still arriving at the request timeout, or when the drain begins, is left unread:
      // the answer goes at once and closes the connection.
      const whole = await discardUnreadBody(request, requestTimeoutMs, draining.signal);
      return whole ? response : withConnectionClose(response);
    };

    // Bun.serve opens the port synchronously and throws when it cannot.
    const server = Bun.serve({
      port,
      hostname: host,
      reusePort,
      // Not Bun's HTML error pages: the app answers every error in JSON itself.
      development: false,
      idleTimeout: IDLE_TIMEOUT_S,
      fetch(request, bunServer) {
        const answer = fetch(absolute(request, bunServer), bunServer);
        // Answered at once, with no body to throw away (GET /, /health, /metrics): nothing is in
        // flight past this call, and no time passes for the idle timer to count, so none of the
        // work below is needed.
        if (!(answer instanceof Promise) && request.body === null) return answer;
        // The timer is paused before the first await: a request longer than the idle timeout keeps its connection.
        bunServer.timeout(request, 0);
        inFlight++;
        return answerLater(request, answer).finally(() => {
          bunServer.timeout(request, IDLE_TIMEOUT_S);
          answered();
        });
      },
    });

    /**
     * Resolves once the last answer in flight has been handed to the socket: Bun counts a request
     * pending until then, a moment after its fetch has returned.
     */
    const sent = async (): Promise<void> => {
      if (inFlight > 0) await new Promise<void>((resolve) => (whenIdle = resolve));
      while (server.pendingRequests > 0) await new Promise((resolve) => setTimeout(resolve, 1));
    };

    let drained: Promise<void> | undefined;
    return {
      url: server.url.origin,
      // stop() refuses new connections at once, closes idle kept-alive ones, and closes each busy one
      // after its answer. Its promise would also wait for connections that never send a whole request
      // (until idleTimeout ends them): the drain ends when the answers have gone, and close(true),
      // stop(true), ends those connections.
      close: (force) => {
        if (force) return server.stop(true);
        draining.abort();
        void server.stop();
        return (drained ??= sent());
      },
    };
  };
}

/**
 * Bun hands an HTTP/1.0 request without Host over with a relative URL ("/health"), which the app's
 * path parser misreads (every route but / then answered 404); HAProxy's `option httpchk GET /health`
 * sends exactly such a request. It gets this server's own origin, as Node and Deno give it.
 */
function absolute(request: Request, server: { readonly url: URL }): Request {
  // server.url only here: Bun builds a new URL object each time it is read, a cost on every request.
  return request.url.charCodeAt(0) === 47 ? new Request(`${server.url.origin}${request.url}`, request) : request;
}

/**
 * Reads and throws away a body the app answered without reading (a 404, a 413 from Content-Length),
 * before the answer goes. On a kept-alive connection Bun would read it itself, after the answer; but
 * when the connection is to close after the answer (the client asked for it), Bun closes at once, and
 * a client still sending a body of some MB gets EPIPE instead of the answer (measured: 10 of 10 with
 * 10 MB). Bun's own maxRequestBodySize (128 MB) bounds what a client can declare. Bun would also read
 * a trickling body for as long as it trickles (its idleTimeout sees bytes moving): past `timeoutMs`
 * the reading stops. Once the drain begins, the answer waits no longer either: a client still
 * sending (slowly, or never finishing) would otherwise hold the shutdown until --shutdown-timeout,
 * its answer never sent. False says the answer must close the connection (Bun does, on
 * `Connection: close`, measured on 1.4.5).
 */
async function discardUnreadBody(request: Request, timeoutMs: number, drain: AbortSignal): Promise<boolean> {
  if (request.bodyUsed || !request.body || request.body.locked) return true;
  if (drain.aborted) return false;
  const reader = request.body.getReader();
  try {
    await beforeDrain(withinRequestTimeout(readToEnd(reader), timeoutMs), drain);
    return true;
  } catch (error) {
    if (!(error instanceof RequestTimeoutError || error instanceof ShuttingDownError)) return true; // the client went away
  }
  reader.cancel().catch(() => {});
  return false;
}

async function readToEnd(reader: { read(): Promise<{ done: boolean }> }): Promise<void> {
  while (!(await reader.read()).done);
}
