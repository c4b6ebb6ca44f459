// The tests' HTTP client. By default it opens a new connection for every request, so that concurrent
// requests really are concurrent connections (a shared keep-alive pool could queue them on one
// socket). keptAliveConnection() sends requests one after another on one kept-alive connection, as
// real clients' pools do, so that a suite can check that no request fails because of the one before it.
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  /** When the whole response had arrived (epoch ms); used to order events, never as a threshold. */
  receivedAt: number;
  /** Whether it came on a connection that had answered an earlier request (kept alive). */
  reusedConnection: boolean;
}

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** The connection pool to send it through; by default a new connection of its own. */
  agent?: Agent;
}

/**
 * Every connection a request went on. node:http's own `reusedSocket` is false for a request that
 * waited in the Agent's queue for a socket, even though it then reuses one.
 */
const usedConnections = new WeakSet<Socket>();

export function request(
  url: string,
  { method = 'GET', body, headers = {}, signal, agent }: RequestOptions = {},
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let reused = false;
    const req = httpRequest(url, { method, headers, agent: agent ?? false, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json,
          receivedAt: Date.now(),
          reusedConnection: reused,
        });
      });
    });
    req.on('socket', (socket: Socket) => {
      reused = usedConnections.has(socket);
      usedConnections.add(socket);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function post(url: string, body?: unknown, options: Pick<RequestOptions, 'agent'> = {}): Promise<HttpResponse> {
  return request(url, {
    method: 'POST',
    ...options,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}

/** How a suite sends its requests: each on a new connection, or all on one kept-alive connection. */
export interface HttpClient {
  readonly name: string;
  request(url: string, options?: Omit<RequestOptions, 'agent'>): Promise<HttpResponse>;
  post(url: string, body?: unknown): Promise<HttpResponse>;
  /** Connections opened so far (kept-alive client only; the other opens one a request). */
  readonly connectionsOpened: number;
  close(): void;
}

export function newConnectionPerRequest(): HttpClient {
  let opened = 0;
  return {
    name: 'a new connection per request',
    request: (url, options) => (opened++, request(url, options)),
    post: (url, body) => (opened++, post(url, body)),
    get connectionsOpened() {
      return opened;
    },
    close: () => {},
  };
}

/**
 * One kept-alive connection, requests one after another: node:http's Agent with keepAlive and one
 * socket. A new connection is opened only once the server has closed the previous one (after an
 * answer that said `Connection: close`, say).
 */
export function keptAliveConnection(): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let opened = 0;
  const count = (response: HttpResponse): HttpResponse => {
    if (!response.reusedConnection) opened++;
    return response;
  };
  return {
    name: 'one kept-alive connection',
    request: (url, options) => request(url, { ...options, agent }).then(count),
    post: (url, body) => post(url, body, { agent }).then(count),
    get connectionsOpened() {
      return opened;
    },
    close: () => agent.destroy(),
  };
}
