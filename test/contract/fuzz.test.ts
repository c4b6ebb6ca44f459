// HTTP fuzz against the runtime under test (CONTRACT_RUNTIME): random and hostile requests. Every
// answer is JSON, a 2xx where the request was valid or a 4xx, and the server is still up afterwards.
import fc from 'fast-check';
import { request as httpRequest } from 'node:http';
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
  fc.constantFrom('0', '5', String(MAX_DELAY_MS), '-1', '1.5', '1e3', 'NaN', 'Infinity', '', ' ', '0x1F', '99999999999999999999999', '%00', '１'),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
  fc.double().map(String),
  fc.string({ maxLength: 20 }),
);
const modeValue = fc.oneof(fc.constantFrom('blocking', 'async', 'pool', 'BLOCKING', 'sync', 'thread', ''), fc.string({ maxLength: 12 }));
const workValue = fc.oneof(fc.constantFrom('sleep', 'cpu', 'io', ''), fc.string({ maxLength: 12 }));
const query = fc
  .record({ ms: msValue, mode: modeValue, work: workValue, junk: fc.string({ maxLength: 30 }) }, { requiredKeys: [] })
  .map((q) => new URLSearchParams(q as Record<string, string>).toString());
const jsonBody = fc.oneof(
  fc.record({ ms: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.double(), fc.string({ maxLength: 8 }), fc.constant(null)), mode: modeValue, work: workValue }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constantFrom('{', '{"ms":', '[', 'null', '"x"', '{"ms":1,}', '\u0000', '{"__proto__":{"ms":1}}', `{"ms":${'9'.repeat(400)}}`),
  fc.string({ maxLength: 200 }),
  fc.constant(JSON.stringify({ ms: 1, padding: 'x'.repeat(40_000) })),
);
const path = fc.oneof(
  fc.constantFrom('/', '/health', '/info', '/delay', '/delay/', '/DELAY', '//delay', '/delay?', '/%zz', '/..%2f..%2fetc/passwd', '/favicon.ico'),
  fc.webPath().map((p) => p || '/'),
  fc.integer({ min: 1_000, max: 7_000 }).map((n) => `/${'a'.repeat(n)}`),
  fc.integer({ min: 1_000, max: 7_000 }).map((n) => `/delay?ms=${'1'.repeat(n)}`),
);
const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.record({ method: fc.constant('POST'), path: query.map((q) => `/delay?${q}`), body: fc.option(jsonBody, { nil: undefined }), contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1') }, { requiredKeys: ['method', 'path'] }),
  fc.record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'BREW'), path, body: fc.option(fc.string({ maxLength: 50 }), { nil: undefined }) }, { requiredKeys: ['method', 'path'] }),
);

function send({ method, path, body, contentType }: FuzzRequest, port: number): Promise<{ status: number; text: string; type: string }> {
  return new Promise((resolve, reject) => {
    const payload = method === 'GET' || method === 'HEAD' ? undefined : body;
    // Framed explicitly: Node's client sends a DELETE or OPTIONS body unframed otherwise, which is
    // a malformed request of the client's making, not the server's.
    const headers: Record<string, string> = {
      ...(contentType ? { 'content-type': contentType } : {}),
      ...(payload === undefined ? {} : { 'content-length': String(Buffer.byteLength(payload)) }),
    };
    // A new connection each time: after a 413 the server may close a connection whose body it did
    // not read, and a reused keep-alive socket would then fail on the client's side.
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString(), type: String(res.headers['content-type'] ?? '') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

describe(`HTTP fuzz on ${runtime.name}`, () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startRuntime(runtime, { maxDelayMs: MAX_DELAY_MS });
  });
  afterAll(stopAllServers);

  it('answers every request with JSON, 2xx or 4xx, and stays up', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (req) => {
        const answer = await send(req, server.port).catch((error: { code?: string }) => error);
        if (!('status' in answer)) {
          // Bun's HTTP layer closes the connection on a method HTTP does not define: a refusal too.
          expect(STANDARD_METHODS.has(req.method) ? `${req.method} ${req.path.slice(0, 100)} → ${answer.code}` : 'refused').toBe('refused');
          return;
        }
        const { status, text, type } = answer;
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
        const unsupported = status === 501 && !runtime.hasPool && (JSON.parse(text) as { error?: string }).error === 'mode_unsupported';
        expect((status >= 200 && status < 500) || unsupported, what).toBe(true);
        if (req.method === 'HEAD' || (status === 200 && req.path.startsWith('/metrics'))) return;
        expect(type, `${req.method} ${req.path.slice(0, 100)} → ${status} ${text.slice(0, 200)}`).toContain('application/json');
        const json = JSON.parse(text) as Record<string, unknown>;
        if (status >= 400) expect(Object.keys(json).sort()).toEqual(['error', 'message']);
      }),
      { numRuns: 2_000 },
    );
    const health = await send({ method: 'GET', path: '/health' }, server.port);
    expect(health.status).toBe(200);
    expect(statuses.size).toBeGreaterThan(3); // the fuzz reached several kinds of answer, not only one
  });
});
