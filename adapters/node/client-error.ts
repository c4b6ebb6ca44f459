// Requests that Node's HTTP parser rejects before the app sees them (an unknown method, headers too
// large, malformed syntax) still get the contract's JSON error, not Node's bare "400 Bad Request".
import type { Socket } from 'node:net';

export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
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
  const body = JSON.stringify({ error: 'invalid_request', message });
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
