// One HTTP/1.1 connection on a raw node:net socket, for the tests that need to see the wire: several
// requests in one packet (pipelining), a body the server answers before reading, when exactly the
// server closes the connection. Answers are read in order and framed by Content-Length, chunked
// encoding or the close of the connection, as RFC 9112 says.
import { Socket, connect } from 'node:net';

export interface RawResponse {
  status: number;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Record<string, string>;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  /** Whether the answer said the connection ends after it (`Connection: close`). */
  closes: boolean;
}

/** Thrown for an answer the connection ended before sending: the server closed it silently. */
export class ClosedWithoutAnswer extends Error {
  constructor(readonly pending: number) {
    super(`the server closed the connection with ${pending} request(s) unanswered`);
  }
}

interface Waiter {
  head: boolean;
  resolve: (response: RawResponse) => void;
  reject: (error: Error) => void;
}

export class RawConnection {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  readonly #waiters: Waiter[] = [];
  #ended = false;
  #received = 0;
  /** Resolves when the server has ended its side (FIN) or the connection is gone. */
  readonly closedByServer: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    // Writes after the server closed fail with EPIPE; the pending answers report it.
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    this.closedByServer = new Promise((resolve) => {
      const ended = (): void => {
        this.#ended = true;
        this.#parse();
        for (const waiter of this.#waiters.splice(0)) waiter.reject(new ClosedWithoutAnswer(1));
        resolve();
      };
      socket.once('end', ended);
      socket.once('close', ended);
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, host);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawConnection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** True once the server has closed its side: nothing more will be answered here. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Bytes received so far, whole answers or not (a stream's first events, say). */
  get received(): number {
    return this.#received;
  }

  /** Writes raw bytes: one or several requests, or part of one. */
  write(data: string | Buffer): void {
    if (!this.#socket.destroyed) this.#socket.write(data);
  }

  /**
   * The next answer on the connection, in order. `method` is the request's, so that the answer to a
   * HEAD is read without a body. Rejects with ClosedWithoutAnswer if the connection ends first.
   */
  next(method = 'GET'): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      if (this.#ended) return reject(new ClosedWithoutAnswer(1));
      this.#waiters.push({ head: method === 'HEAD', resolve, reject });
      this.#parse();
    });
  }

  /** Sends one request and waits for its answer. */
  request(
    method: string,
    path: string,
    options: { headers?: Record<string, string>; body?: string | Buffer } = {},
  ): Promise<RawResponse> {
    this.write(requestBytes(method, path, options));
    return this.next(method);
  }

  close(): void {
    this.#socket.destroy();
  }

  #parse(): void {
    for (;;) {
      const waiter = this.#waiters[0];
      if (!waiter) return;
      const parsed = parseResponse(this.#buffer, waiter.head, this.#ended);
      if (!parsed) return;
      this.#buffer = this.#buffer.subarray(parsed.consumed);
      this.#waiters.shift();
      waiter.resolve(parsed.response);
    }
  }
}

/** A request as bytes: Host, and Content-Length for a body unless the headers frame it otherwise. */
export function requestBytes(
  method: string,
  path: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Buffer {
  const names = Object.keys(headers).map((name) => name.toLowerCase());
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body !== undefined && !names.includes('content-length') && !names.includes('transfer-encoding'))
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.concat([
    Buffer.from(`${lines.join('\r\n')}\r\n\r\n`),
    body === undefined ? Buffer.alloc(0) : Buffer.from(body),
  ]);
}

/** One whole response at the start of `data`, or undefined while it is still arriving. */
export function parseResponse(
  data: Buffer,
  head: boolean,
  ended: boolean,
): { response: RawResponse; consumed: number } | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...headerLines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  // 1xx: an interim answer (100 Continue); the real one follows.
  if (status < 200) return parseResponse(data.subarray(headEnd + 4), head, ended);
  const bodyStart = headEnd + 4;
  let body: Buffer;
  let consumed: number;
  if (head || status === 204 || status === 304) {
    body = Buffer.alloc(0);
    consumed = bodyStart;
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const chunks: Buffer[] = [];
    let at = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
      if (size === 0) {
        const trailerEnd = data.indexOf('\r\n\r\n', lineEnd);
        if (trailerEnd < 0) return undefined;
        consumed = trailerEnd + 4;
        break;
      }
      if (data.length < lineEnd + 2 + size + 2) return undefined;
      chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(chunks);
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (data.length < bodyStart + length) return undefined;
    body = data.subarray(bodyStart, bodyStart + length);
    consumed = bodyStart + length;
  } else {
    // Framed by the close of the connection.
    if (!ended) return undefined;
    body = data.subarray(bodyStart);
    consumed = data.length;
  }
  const text = body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { response: { status, headers, text, json, closes: /\bclose\b/i.test(headers.connection ?? '') }, consumed };
}
