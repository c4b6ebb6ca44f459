// Every error the app answers with, and the one JSON shape they all take: { error, message }.
// Each class carries its HTTP status, its code and the headers that go with it (Retry-After where a
// retry can succeed, Allow for 405), so the app maps any of them to a response in one place.

export type ErrorCode =
  | 'invalid_request'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'mode_unsupported'
  | 'overloaded'
  /** The server is draining for a shutdown: the request came on a connection opened before it began. */
  | 'shutting_down'
  | 'internal_error'
  /** The client went away before its answer (status 499, which nobody reads; it shows in logs and metrics). */
  | 'client_closed';

export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

export function errorBody(error: ErrorCode, message: string): ErrorBody {
  return { error, message };
}

/** An error with its answer: status, code, message and headers. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }

  toResponse(): Response {
    return Response.json(errorBody(this.code, this.message), { status: this.status, headers: this.headers });
  }
}

/** 400: a parameter, the body or the query is not what the route takes. */
export class InvalidRequestError extends HttpError {
  constructor(message: string) {
    super(400, 'invalid_request', message);
  }
}

/** 404: no route has this path. */
export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, 'not_found', message);
  }
}

/** 405: the path exists, the method does not; `Allow` lists the methods that do. */
export class MethodNotAllowedError extends HttpError {
  constructor(message: string, allowed: readonly string[]) {
    super(405, 'method_not_allowed', message, { Allow: allowed.join(', ') });
  }
}

/** 413: the body is over the limit; answered before the body is read whole. */
export class PayloadTooLargeError extends HttpError {
  constructor(maxBodyBytes: number) {
    super(413, 'payload_too_large', `the body is larger than ${maxBodyBytes} bytes`);
  }
}

/**
 * 408: the request's body had not arrived whole when the request timeout (--request-timeout) ran out.
 * The connection closes after it: what the client sent so far cannot be told from what it sends next.
 * The code is Node's for its own 408s (adapters/node-http/client-error.ts), so a client sees one shape.
 */
export class RequestTimeoutError extends HttpError {
  constructor(timeoutMs: number) {
    super(408, 'invalid_request', `the request body did not arrive whole within ${timeoutMs} ms; send it again`, {
      Connection: 'close',
    });
  }
}

/** 501: the runtime cannot run this mode (a pool on Workers, or blocking where the clock cannot size work). */
export class ModeUnsupportedError extends HttpError {
  constructor(message: string) {
    super(501, 'mode_unsupported', message);
  }
}

/** 503: the server refuses work it could not do in time; `Retry-After` says when to try again. */
export class OverloadedError extends HttpError {
  constructor(message: string, retryAfterSeconds: number) {
    super(503, 'overloaded', `${message}; retry later`, {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
}

/**
 * 503 to a request that arrives during a graceful shutdown, on a connection opened before it began:
 * refused at once, so that the shutdown waits only for work that was already running. The connection
 * closes after it; a new connection reaches a process that still serves, or is refused.
 */
export class ShuttingDownError extends HttpError {
  constructor() {
    super(503, 'shutting_down', 'the server is shutting down; send the request again on a new connection', {
      'Retry-After': '1',
      Connection: 'close',
    });
  }
}

/** 503 from `ThreadPool.run` when its queue is full: retry once a task of this length could have run. */
export class PoolOverloadedError extends OverloadedError {
  constructor(maxQueue: number, ms: number) {
    super(`the pool's queue is full (${maxQueue} tasks waiting)`, ms / 1000);
  }
}

/**
 * 499: the client went away before its answer, so nobody reads this one; it shows in /metrics and the
 * log. Also what a request whose body stopped arriving gets (the client closed the connection mid-body),
 * whatever the runtime's own error for the broken stream says.
 */
export class ClientClosedError extends HttpError {
  constructor(message = 'the connection closed before the request body arrived whole') {
    super(499, 'client_closed', message);
  }
}

/** 499 from `ThreadPool.run` or `Runtime.sleep` when the caller's signal aborted: nobody reads the answer. */
export class WorkCancelledError extends ClientClosedError {
  constructor() {
    super('the work was cancelled because its client went away');
  }
}
