// HTTP fuzz against the runtime under test (CONTRACT_RUNTIME): random and hostile requests, each on a
// new connection, then all on one kept-alive connection. Every answer is JSON, a 2xx where the
// request was valid or a 4xx; no request fails, not even one sent on a connection right after a
// hostile one (a body left unread, an unknown method); and the server is still up afterwards.
import fc from 'fast-check';
import { Agent, request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../tools/harness/http-client.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { ClosedWithoutAnswer, RawConnection, type RawResponse } from '../../tools/harness/raw-connection.ts';
import { runtimeUnderTest, type OddRequest } from '../../tools/harness/runtimes.ts';
import { describeIf } from '../support/conditional.ts';
import { parseExposition, total } from '../support/prometheus-text.ts';
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

/** Odd shapes on raw connections, each on a new one. */
const RAW_RUNS = 150;

/** Every answer /metrics has counted so far, but its own scrapes (GET /metrics). */
async function answersCounted(url: string): Promise<number> {
  const samples = parseExposition((await request(`${url}/metrics`)).text).samples;
  return (
    total(samples, 'lab_http_requests_total') -
    total(samples, 'lab_http_requests_total', { route: '/metrics', method: 'GET' })
  );
}

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
      const countedBefore = runtime.hasCli ? await answersCounted(server.url) : 0;
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
            // The fuzz's own GET /metrics, should it find one, is a scrape: left out of the count on both sides.
            if (req.method === 'GET' && req.path.split('?')[0] === '/metrics') return;
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
        // /metrics adds up: every answer the fuzz received (and the health check) counted once, no more.
        if (runtime.hasCli) {
          const received = [...statuses.values()].reduce((sum, n) => sum + n, 0) + 1;
          expect((await answersCounted(server.url)) - countedBefore).toBe(received);
        }
      } finally {
        if (agent) agent.destroy();
      }
    },
  );
});

/** One odd shape on a raw connection: the bytes, the methods of the answers it asks for, and how it ends. */
interface RawShape {
  name: string;
  bytes: string;
  /** One method per request in `bytes`, in order, to read each answer (HEAD has no body). */
  methods: readonly string[];
  /** The odd request whose answer the runtime may give itself (runtimes.ts answersItself). */
  odd?: OddRequest;
  /** The client closes in the middle of the body: no answer, a 499 in /metrics. */
  cut?: boolean;
}

const HOST = 'Host: 127.0.0.1\r\n';
/** Every route; the lab's event stream with a life of 1 ms, so that it ends by itself. */
const ROUTE_PATHS = ['/', '/health', '/info', '/delay', '/metrics', '/nowhere', '/lab', '/lab/events?for=1'];
const rawShape: fc.Arbitrary<RawShape> = fc.oneof(
  // Bodies cut off mid-way, framed by Content-Length or chunked.
  fc.record({ declared: fc.integer({ min: 10, max: 10_000 }), chunked: fc.boolean() }).map(({ declared, chunked }) => ({
    name: `cut ${chunked ? 'chunked' : `Content-Length ${declared}`}`,
    bytes: `POST /delay?mode=async&ms=1 HTTP/1.1\r\n${HOST}Content-Type: application/json\r\n${
      chunked ? 'Transfer-Encoding: chunked\r\n\r\n5\r\n{"ms"\r\n' : `Content-Length: ${declared}\r\n\r\n{"ms"`
    }`,
    methods: ['POST'],
    cut: true,
  })),
  // A malformed request pipelined behind a good one: the good one's answer first, whole.
  fc
    .constantFrom(
      'GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n',
    )
    .map((malformed) => ({
      name: 'pipelined malformed',
      bytes: `GET /health HTTP/1.1\r\n${HOST}\r\n${malformed}`,
      methods: ['GET', 'GET'],
      odd: 'malformed' as const,
    })),
  // Absolute-form and asterisk-form targets.
  fc.constantFrom(...ROUTE_PATHS).map((path) => ({
    name: `absolute-form ${path}`,
    bytes: `GET http://127.0.0.1${path} HTTP/1.1\r\n${HOST}\r\n`,
    methods: ['GET'],
  })),
  fc.constant({
    name: 'asterisk-form',
    bytes: `OPTIONS * HTTP/1.1\r\n${HOST}\r\n`,
    methods: ['OPTIONS'],
    odd: 'asterisk-form' as const,
  }),
  // Expect, known and not.
  fc.constantFrom('100-continue', 'foo', '').map((expectation) => ({
    name: `Expect: ${expectation}`,
    bytes: `POST /delay?mode=async&ms=1 HTTP/1.1\r\n${HOST}Expect: ${expectation}\r\nContent-Length: 2\r\n\r\n{}`,
    methods: ['POST'],
  })),
  // Missing Host, on 1.0 and 1.1.
  fc.constantFrom(...ROUTE_PATHS).map((path) => ({
    name: `HTTP/1.0 without Host ${path}`,
    bytes: `GET ${path} HTTP/1.0\r\n\r\n`,
    methods: ['GET'],
  })),
  fc.constantFrom(...ROUTE_PATHS).map((path) => ({
    name: `HTTP/1.1 without Host ${path}`,
    bytes: `GET ${path} HTTP/1.1\r\n\r\n`,
    methods: ['GET'],
    odd: 'missing-host' as const,
  })),
  // Oversized URLs and headers.
  fc.integer({ min: 70_000, max: 120_000 }).map((size) => ({
    name: `URL of ${size} bytes`,
    bytes: `GET /${'a'.repeat(size)} HTTP/1.1\r\n${HOST}\r\n`,
    methods: ['GET'],
    odd: 'long-url' as const,
  })),
  fc.integer({ min: 70_000, max: 120_000 }).map((size) => ({
    name: `a header of ${size} bytes`,
    bytes: `GET /health HTTP/1.1\r\n${HOST}X-Big: ${'b'.repeat(size)}\r\n\r\n`,
    methods: ['GET'],
    odd: 'long-headers' as const,
  })),
  // HEAD on every route, then GET on the same connection: nothing of a body after the HEAD's head.
  fc.constantFrom(...ROUTE_PATHS).map((path) => ({
    name: `HEAD ${path}`,
    bytes: `HEAD ${path} HTTP/1.1\r\n${HOST}\r\nGET /health HTTP/1.1\r\n${HOST}\r\n`,
    methods: ['HEAD', 'GET'],
  })),
);

describeIf(runtime.hasCli)(`raw-socket fuzz of odd requests on ${runtime.name}`, () => {
  it('every answer JSON with the documented shape (or the runtime’s own, as the matrix says), none inside another, each counted once', async () => {
    const server = await startRuntime(runtime, { maxDelayMs: MAX_DELAY_MS });
    const scrape = async (): Promise<ReturnType<typeof parseExposition>['samples']> =>
      parseExposition((await request(`${server.url}/metrics`)).text).samples;
    let answeredByApp = 0;
    let cut = 0;
    await fc.assert(
      fc.asyncProperty(rawShape, async (shape) => {
        const connection = await RawConnection.open(server.port);
        try {
          connection.write(shape.bytes);
          if (shape.cut) {
            // Closed once the app has it (it and this scrape in flight): a request the app never saw is not one it could count.
            const deadline = Date.now() + 15_000;
            while (total(await scrape(), 'lab_http_requests_in_flight') !== 2)
              if (Date.now() > deadline) throw new Error(`${shape.name}: never reached the app`);
            connection.close();
            cut++;
            return;
          }
          for (const method of shape.methods) {
            const answer = await connection.next(method).catch((error: unknown) => error);
            if (answer instanceof ClosedWithoutAnswer) {
              // Only a runtime that answers (or refuses) this odd request itself may close instead.
              expect(shape.odd && runtime.answersItself[shape.odd], `${shape.name}: closed`).toBeDefined();
              return;
            }
            const { status, text, headers } = answer as RawResponse;
            const what = `${shape.name} (${method}) → ${status} ${text.slice(0, 120)}`;
            const itself = shape.odd === undefined ? undefined : runtime.answersItself[shape.odd];
            if (itself !== undefined && status === itself && text === '' && method !== 'HEAD') continue; // the runtime's own
            // A GET /metrics the fuzz sent is a scrape: left out on both sides, as the test's own are.
            if (method === 'GET' && status === 200 && headers['content-type']?.startsWith('text/plain')) continue;
            answeredByApp++;
            expect(status < 500, what).toBe(true);
            if (method === 'HEAD' || text === '' || (status === 200 && headers['content-type']?.startsWith('text/')))
              continue; // a HEAD, /metrics, the lab's page and stream: not JSON by design
            expect(headers['content-type'], what).toMatch(/^application\/json/);
            const json = JSON.parse(text) as Record<string, unknown>;
            if (status >= 400) expect(Object.keys(json).sort(), what).toEqual(['error', 'message']);
          }
        } finally {
          connection.close();
        }
      }),
      { numRuns: RAW_RUNS },
    );
    // /metrics adds up: what the app and its adapter answered, each once; the cut-off ones as 499; nothing in flight.
    const samples = await scrape();
    const counted =
      total(samples, 'lab_http_requests_total') -
      total(samples, 'lab_http_requests_total', { route: '/metrics', method: 'GET' });
    expect(total(samples, 'lab_http_requests_total', { status: '499' })).toBe(cut);
    expect(counted - cut).toBe(answeredByApp);
    expect(total(samples, 'lab_http_requests_in_flight')).toBe(1);
    await server.process.stop();
  });
});
