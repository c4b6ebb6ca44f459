// Requests that Node's HTTP parser rejects before the app sees them (an unknown method, headers too
// large, malformed syntax) still get the contract's JSON error, not Node's bare "400 Bad Request".
import type { Socket } from 'node:net';

export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return;
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({
    error: 'invalid_request',
    message: tooLarge ? 'the request line and headers are too large; send a shorter URL' : 'the request is not valid HTTP/1.1',
  });
  socket.end(
    `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
