// What a server process promises about its connections, the same on every process runtime where the
// runtime lets us (docs/reliability.md#kept-alive-connections): how long a client may take, what
// happens to a request body the app did not read, and how a shutdown ends kept-alive connections.
// The runtime adapters (adapters/*/listen.ts) apply these; the drain gate below is the part that
// needs no runtime at all.
import type { Fetch } from './listener.ts';

/** Set explicitly on every runtime that has the setting; the table in docs/reliability.md says which. */
export const CONNECTION_TIMEOUTS = {
  /** A request's line and headers must have arrived whole this long after the connection opened or the previous answer. */
  headersMs: 10_000,
  /**
   * A whole request, body included: the default of --request-timeout (src/config.ts), which every
   * process runtime applies. Far below no /delay: it ends when the request has arrived, not when it is answered.
   */
  requestMs: 30_000,
  /** A kept-alive connection that sends no new request for this long is closed. */
  idleMs: 10_000,
} as const;

/**
 * An answer sent before its request's body was read whole (404, 405, 400, 413, 503): a body declared
 * at most this long is read and thrown away, and the connection is kept; a longer one, or one of
 * unknown length that has not ended, is not read: the answer says `Connection: close`. Go's net/http
 * draws the same line (256 KiB).
 */
export const UNREAD_BODY_DISCARD_BYTES = 256 * 1024;

/**
 * The shutdown's half that every runtime shares: once `beginDrain()` is called, every answer says
 * `Connection: close`, and `signal` aborts: the app (src/app.ts, given it as `drain`) then refuses a
 * request that arrives after it (on a connection opened before) at once with 503 `shutting_down`, so
 * that the shutdown never waits on work that began after it and /metrics counts the refusal, and ends
 * answers that would otherwise last (the live lab's event streams).
 * Closing each connection after such an answer is the runtime's half (adapters/*\/listen.ts).
 */
export interface DrainGate {
  /** The app's fetch, as the runtime's server is to call it. */
  wrap(appFetch: Fetch): Fetch;
  /** Aborts when the drain begins. */
  readonly signal: AbortSignal;
  readonly draining: boolean;
  beginDrain(): void;
}

export function createDrainGate(): DrainGate {
  const drain = new AbortController();
  const closing = (response: Response): Response => (drain.signal.aborted ? withConnectionClose(response) : response);
  return {
    // An answer the app gives synchronously stays synchronous (Node's adapter has a faster path for it).
    wrap: (appFetch) => (request, env) => {
      const answer = appFetch(request, env);
      return answer instanceof Promise ? answer.then(closing) : closing(answer);
    },
    signal: drain.signal,
    get draining() {
      return drain.signal.aborted;
    },
    beginDrain() {
      drain.abort();
    },
  };
}

/** The response with `Connection: close`; a copy when its headers cannot be changed. */
export function withConnectionClose(response: Response): Response {
  try {
    response.headers.set('Connection', 'close');
    return response;
  } catch {
    // Immutable headers (Response.redirect, Response.error, a fetched response).
    const headers = new Headers(response.headers);
    headers.set('Connection', 'close');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  }
}
