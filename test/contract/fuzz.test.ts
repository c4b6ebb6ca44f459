// HTTP fuzz against the runtime under test (CONTRACT_RUNTIME): random and hostile requests, each on a
// new connection, then all on one kept-alive connection. Every answer is JSON, a 2xx where the
// request was valid or a 4xx; no request fails, not even one sent on a connection right after a
// hostile one (a body left unread, an unknown method); and the server is still up afterwards.
import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';

const runtime = runtimeUnderTest();
/** Small enough that a valid blocking request found by the fuzzer costs little. */
const MAX_DELAY_MS = 20;

const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE']);

interface FuzzRequest {
  method: string;
  path: string;
  body?: string;
  contentType?: string;
}

const msValue = fc.oneof(
  fc.constantFrom(
    '0',
    '5',
    String(MAX_DELAY_MS),
    '-1',
    '1.5',
    '1e3',
    'NaN',
    'Infinity',
    '',
    ' ',
    '0x1F',
    '99999999999999999999999',
    '%00',
    '１',
  ),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
  fc.double().map(String),
  fc.string({ maxLength: 20 }),
);
const modeValue = fc.oneof(
  fc.constantFrom('blocking', 'async', 'pool', 'BLOCKING', 'sync', 'thread', ''),
  fc.string({ maxLength: 12 }),
);
const workValue = fc.oneof(fc.constantFrom('sleep', 'cpu', 'io', ''), fc.string({ maxLength: 12 }));
const query = fc
  .record({ ms: msValue, mode: modeValue, work: workValue, junk: fc.string({ maxLength: 30 }) }, { requiredKeys: [] })
  .map((q) => new URLSearchParams(q as Record<string, string>).toString());
const jsonBody = fc.oneof(
  fc
    .record(
      {
        ms: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), fc.string({ maxLength: 8 }), fc.constant(null)),
        mode: modeValue,
        work: workValue,
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{',
    '{"ms":',
    '[',
    'null',
    '"x"',
    '{"ms":1,}',
    '\u0000',
    '{"__proto__":{"ms":1}}',
    `{"ms":${'9'.repeat(400)}}`,
  ),
  fc.string({ maxLength: 200 }),
  // Above the app's 16 KiB: refused from Content-Length before the body is read. One fits in a
  // socket's buffers, two do not: the server answers before they have arrived whole.
  fc.constantFrom(...[40_000, 200_000, 1_000_000].map((size) => JSON.stringify({ ms: 1, padding: 'x'.repeat(size) }))),
);
/** Bodies for routes that take none: short, or long enough to arrive after the answer (above and below the 256 KiB discard limit). */
const strayBody = fc.oneof(
  { weight: 8, arbitrary: fc.string({ maxLength: 50 }) },
  { weight: 1, arbitrary: fc.constantFrom('y'.repeat(100_000), 'y'.repeat(400_000)) },
);
const path = fc.oneof(
  fc.constantFrom(
    '/',
    '/health',
    '/info',
    '/delay',
    '/delay/',
    '/DELAY',
    '//delay',
    '/delay?',
    '/%zz',
    '/..%2f..%2fetc/passwd',
    '/favicon.ico',
  ),
  fc.webPath().map((p) => p || '/'),
  fc.integer({ min: 1_000, max: 7_000 }).map((n) => `/${'a'.repeat(n)}`),
  fc.integer({ min: 1_000, max: 7_000 }).map((n) => `/delay?ms=${'1'.repeat(n)}`),
);
const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.record(
    {
      method: fc.constant('POST'),
      path: query.map((q) => `/delay?${q}`),
      body: fc.option(jsonBody, { nil: undefined }),
      contentType: fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=latin1',
      ),
    },
    { requiredKeys: ['method', 'path'] },
  ),
  fc.record(
    {
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'BREW'),
      path,
      body: fc.option(strayBody, { nil: undefined }),
    },
    { requiredKeys: ['method', 'path'] },
  ),
);

interface Answer {
  status: number;
  text: string;
  type: string;
  /** It came on a connection kept alive from an earlier request. */
  reused: boolean;
}

const usedConnections = new WeakSet<Socket>();

/** Sends one request through `agent`: false for a new connection of its own. */
function send({ method, path, body, contentType }: FuzzRequest, port: number, agent: Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = method === 'GET' || method === 'HEAD' ? undefined : body;
    // Framed explicitly: Node's client sends a DELETE or OPTIONS body unframed otherwise, which is
    // a malformed request of the client's making, not the server's.
    const headers: Record<string, string> = {
      ...(contentType ? { 'content-type': contentType } : {}),
      ...(payload === undefined ? {} : { 'content-length': String(Buffer.byteLength(payload)) }),
    };
    let reused = false;
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          text: Buffer.concat(chunks).toString(),
          type: String(res.headers['content-type'] ?? ''),
          reused,
        }),
      );
      res.on('error', reject);
    });
    // node:http's own req.reusedSocket is false for a request that waited in the Agent's queue.
    req.on('socket', (socket: Socket) => {
      reused = usedConnections.has(socket);
      usedConnections.add(socket);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Requests each way: a new connection per request, and one kept-alive connection for all of them. */
const RUNS = 2_000;

describe(`HTTP fuzz on ${runtime.name}`, () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startRuntime(runtime, { maxDelayMs: MAX_DELAY_MS });
  });
  afterAll(stopAllServers);

  it.each([
    ['a new connection per request', false],
    ['one kept-alive connection', true],
  ] as const)(
    'on %s: answers every request with JSON, 2xx or 4xx, none fails, and stays up',
    async (_how, keptAlive) => {
      // One socket, kept alive: requests one after another on the same connection until the server
      // closes it (after an answer that says so); then the next one opens a new connection.
      const agent = keptAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
      const statuses = new Map<number, number>();
      const failed: string[] = [];
      let refused = 0;
      let reused = 0;
      try {
        await fc.assert(
          fc.asyncProperty(fuzzRequest, async (req) => {
            const answer = await send(req, server.port, agent).catch(
              (error: { code?: string; message?: string }) => error,
            );
            if (!('status' in answer)) {
              // Bun's HTTP layer closes the connection on a method HTTP does not define: a refusal, not
              // a failure. Anything else that gets no answer is a failed request.
              if (STANDARD_METHODS.has(req.method))
                failed.push(`${req.method} ${req.path.slice(0, 100)} → ${answer.code ?? answer.message}`);
              else refused++;
              return;
            }
            const { status, text, type } = answer;
            if (answer.reused) reused++;
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            const what = `${req.method} ${req.path.slice(0, 100)} → ${status} ${text.slice(0, 200)}`;
            if (!STANDARD_METHODS.has(req.method)) {
              // A method HTTP does not define may be refused by the runtime's own HTTP layer before the
              // app sees it (workerd answers 501 in plain text, Bun closes the connection): a refusal,
              // never a 2xx or a crash.
              expect(status >= 400 && status <= 501, what).toBe(true);
              return;
            }
            // 501 is the contract's answer for a mode the runtime lacks (a pool on Workers), and only that.
            const unsupported =
              status === 501 &&
              !runtime.hasPool &&
              (JSON.parse(text) as { error?: string }).error === 'mode_unsupported';
            expect((status >= 200 && status < 500) || unsupported, what).toBe(true);
            if (req.method === 'HEAD' || (status === 200 && req.path.startsWith('/metrics'))) return;
            expect(type, what).toContain('application/json');
            const json = JSON.parse(text) as Record<string, unknown>;
            if (status >= 400) expect(Object.keys(json).sort()).toEqual(['error', 'message']);
          }),
          { numRuns: RUNS },
        );
        expect(failed).toEqual([]);
        // Most requests really went on a kept-alive connection: only an answer that said
        // `Connection: close` (or a refusal) makes the next one open a new connection.
        if (keptAlive) expect(reused).toBeGreaterThan(RUNS / 2);
        const health = await send({ method: 'GET', path: '/health' }, server.port, agent);
        expect(health.status).toBe(200);
        expect(statuses.size).toBeGreaterThan(3); // the fuzz reached several kinds of answer, not only one
        expect(refused).toBeLessThan(RUNS / 2);
      } finally {
        if (agent) agent.destroy();
      }
    },
  );
});
