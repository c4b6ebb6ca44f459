// Requests that Node's HTTP parser rejects before the app sees them (an unknown method, headers too
// large, malformed syntax, a request that did not arrive in time) still get the contract's JSON
// error, not Node's bare "400 Bad Request", and are counted in /metrics. What matters is where on
// the connection such an answer goes: node:http hands the parser's error over at once, while answers
// to earlier pipelined requests, or a live lab event stream, may still be on their way. Written then,
// the error would land inside another answer; so it waits until those have gone.
import type { Socket } from 'node:net';
import type { ListenEvents } from '../../src/serve/listener.ts';
import { afterAnswers, connectionState, LINGER_MS } from './connections.ts';

/** The route label /metrics gives a request that never reached the app because it could not be parsed. */
export const UNPARSED_ROUTE = 'unparsed';

/** The clientError listener: `count` is the lifecycle's hook for answers given without the app. */
export function answerClientError(count: NonNullable<ListenEvents['answeredWithoutApp']>) {
  return (error: Error & { code?: string }, socket: Socket): void => {
    // Nothing can be answered any more (the socket's side is closed, e.g. a lingering close, ./connections.ts).
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const [status, message] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? ['431 Request Header Fields Too Large', 'the request line and headers are too large; send a shorter URL']
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? ['408 Request Timeout', 'the request did not arrive in time; send it again']
          : ['400 Bad Request', 'the request is not valid HTTP/1.1'];
    const answer = (): void => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const body = JSON.stringify({ error: 'invalid_request', message });
      socket.end(
        `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      // The client may go on sending; after a while the connection is gone whatever it does.
      setTimeout(() => socket.destroy(), LINGER_MS).unref();
    };

    const { inFlight, latest } = connectionState(socket);
    if (latest && !latest.req.complete) {
      // The error is in the body of a request the app was given (a malformed chunk, or a body still
      // trickling at the request deadline).
      if (inFlight === 0) {
        // Its answer went already (a 404 before the body was read): the client asked nothing more, so
        // it gets nothing more; the connection just ends.
        socket.destroy();
      } else if (inFlight === 1 && !latest.headersSent) {
        // The app is still waiting for that body: it gets this answer instead. /metrics counts the
        // request once, as the app answers it (499: its body never arrived whole).
        answer();
      } else {
        // Earlier pipelined answers are still going out and this one cannot be answered after them.
        socket.destroy();
      }
      return;
    }
    // A new request: answered after every answer before it, in order, and counted.
    afterAnswers(socket, () => {
      if (socket.writable) count(UNPARSED_ROUTE, 'OTHER', Number(status.slice(0, 3)));
      answer();
    });
  };
}
