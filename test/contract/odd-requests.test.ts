// Odd requests on a raw socket, against the runtime under test (process runtimes: wrangler dev's
// proxy parses requests before workerd): a client that leaves mid-body, targets and headers the app
// never sees in the usual form, pipelined requests behind a malformed one. Every answer is JSON
// unless the runtime's own HTTP layer answers first (the matrix says where), each is counted once in
// /metrics, and no answer lands inside another.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONNECTION_TIMEOUTS } from '../../src/serve/connections.ts';
import { request } from '../../tools/harness/http-client.ts';
import { ClosedWithoutAnswer, type RawResponse } from '../../tools/harness/raw-connection.ts';
import { runtimeUnderTest, type OddRequest } from '../../tools/harness/runtimes.ts';
import { trackedRawConnections } from '../support/raw-connections.ts';
import { isAlive, ServerProcess, stopAllServers } from '../../tools/harness/server-process.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';
import { describeIf } from '../support/conditional.ts';
import { freePort } from '../../tools/harness/free-port.ts';
import { REPO_ROOT } from '../../tools/harness/repo-root.ts';
import { parseExposition, total } from '../support/prometheus-text.ts';

const runtime = runtimeUnderTest();
const isProcess = runtime.hasCli;

afterAll(stopAllServers);

/** Every raw connection a test opens, closed after it whatever happened. */
const connection = trackedRawConnections();

async function metrics(url: string): Promise<ReturnType<typeof parseExposition>['samples']> {
  return parseExposition((await request(`${url}/metrics`)).text).samples;
}

/** Polls /metrics until `holds` is true of it (a condition, not a timed wait). */
async function untilMetrics(
  url: string,
  holds: (samples: Awaited<ReturnType<typeof metrics>>) => boolean,
  timeoutMs = 15_000,
): Promise<Awaited<ReturnType<typeof metrics>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const samples = await metrics(url);
    if (holds(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`/metrics never got there: ${JSON.stringify(samples.slice(0, 40))}`);
  }
}

/** The documented error shape: `{ error, message }` and nothing else, served as JSON. */
function expectJsonError(response: RawResponse, status: number): void {
  expect(response.status, response.text).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(Object.keys(response.json as object).sort()).toEqual(['error', 'message']);
}

describeIf(isProcess)(`a client that leaves mid-body on ${runtime.name}`, () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startRuntime(runtime);
  });

  const bodies: [string, string][] = [
    ['a Content-Length body', 'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ms"'],
    ['a chunked body', 'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"ms"\r\n'],
  ];
  it.each(
    bodies.flatMap(([what, rest]) => [
      [what, 'a new connection', rest, false],
      [what, 'a kept-alive connection', rest, true],
    ]) as [string, string, string, boolean][],
  )('%s cut off on %s: 499 client_closed in /metrics, no 500, no error log', async (_what, _how, rest, keptAlive) => {
    const before = total(await metrics(server.url), 'lab_http_requests_total', { route: '/delay', status: '499' });
    const client = await connection(server.port);
    if (keptAlive) expect((await client.request('GET', '/health')).status).toBe(200);
    client.write(`POST /delay?mode=async&ms=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n${rest}`);
    // The app has the request (it and this scrape are in flight) before the client leaves.
    await untilMetrics(server.url, (samples) => total(samples, 'lab_http_requests_in_flight') === 2);
    client.close();
    const after = await untilMetrics(
      server.url,
      (samples) => total(samples, 'lab_http_requests_total', { route: '/delay', status: '499' }) === before + 1,
    );
    expect(total(after, 'lab_http_requests_total', { status: '500' })).toBe(0);
    expect(total(after, 'lab_http_requests_in_flight')).toBe(1); // this scrape alone
    expect(server.process.logs.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});

describeIf(isProcess)(`odd targets and headers on ${runtime.name}`, () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startRuntime(runtime);
  });

  /** Sends raw request bytes on a new connection and reads the one answer. */
  async function ask(bytes: string, method = 'GET'): Promise<RawResponse> {
    const client = await connection(server.port);
    client.write(bytes);
    return client.next(method);
  }

  it('an HTTP/1.0 request without Host is served on every route (HAProxy health checks send it)', async () => {
    const health = await ask('GET /health HTTP/1.0\r\n\r\n');
    expect([health.status, health.json]).toEqual([200, { status: 'ok' }]);
    const info = await ask('GET /info HTTP/1.0\r\n\r\n');
    expect(info.status).toBe(200);
    expect((info.json as { runtime: string }).runtime).toBe(runtime.name);
  });

  it('an Expect the server does not know is ignored, as RFC 9110 allows: the request is served', async () => {
    const health = await ask('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: foo\r\n\r\n');
    expect([health.status, health.json]).toEqual([200, { status: 'ok' }]);
  });

  it('CONNECT gets 405 method_not_allowed in JSON, with Allow', async () => {
    const answer = await ask('CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n');
    expectJsonError(answer, 405);
    expect((answer.json as { error: string }).error).toBe('method_not_allowed');
    expect(answer.headers.allow).toBe('GET, HEAD, POST');
  });

  const odd: [OddRequest, () => string, number][] = [
    ['malformed', () => 'GET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n', 400],
    ['missing-host', () => 'GET /health HTTP/1.1\r\n\r\n', 400],
    ['asterisk-form', () => 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
    ['long-url', () => `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, 431],
    ['long-headers', () => `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(100_000)}\r\n\r\n`, 431],
  ];
  it.each(odd)(
    '%s: a JSON error, or the runtime answers itself as the matrix says',
    async (what, bytes, contractStatus) => {
      const answer = await ask(bytes());
      const itself = runtime.answersItself[what];
      if (itself !== undefined) {
        // The runtime's own HTTP layer, before the app (docs/api.md): that status, no body.
        expect([answer.status, answer.text]).toEqual([itself, '']);
        return;
      }
      // Where the app (or Node's adapter) answers: a JSON error, or a route's answer when the runtime
      // hands the request over as if it were usual (Deno: no Host needed, `*` read as the path "/*").
      if (answer.status < 400) expect(answer.headers['content-type']).toMatch(/^application\/json/);
      else expectJsonError(answer, answer.status === 404 ? 404 : contractStatus);
    },
  );

  it.each(['/', '/health', '/info', '/nowhere', '/delay'])(
    'HEAD %s has the Content-Length its GET would have, and no body',
    async (path) => {
      const client = await connection(server.port);
      const get = await client.request('GET', path);
      const head = await client.request('HEAD', path);
      expect(head.status).toBe(get.status);
      expect(head.text).toBe('');
      // An error's message names the method: HEAD's would-be body says HEAD where GET's says GET.
      const body = get.status < 400 ? get.text : get.text.replace('GET', 'HEAD');
      expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(body));
    },
  );
});

describeIf(isProcess && runtime.pipelinesBehindPendingAnswer)(
  `a malformed request pipelined behind others on ${runtime.name}`,
  () => {
    let server: StartedServer;
    beforeAll(async () => {
      server = await startRuntime(runtime);
    });

    it('waits for the answers before it: the POST gets its 200, then the malformed one its JSON error', async () => {
      const client = await connection(server.port);
      client.write(
        'POST /delay?mode=async&ms=300 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\nBREW / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
      );
      const first = await client.next('POST');
      expect(first.status, first.text).toBe(200);
      expect((first.json as { ms: number }).ms).toBe(300);
      const second = await client.next();
      expect(second.status).toBeGreaterThanOrEqual(400);
      expectJsonError(second, second.status);
    });

    it('never lands inside an open event stream: the stream ends whole, the error comes after it', async () => {
      const client = await connection(server.port);
      client.write(
        'GET /lab/events?for=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET / HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n',
      );
      const stream = await client.next();
      expect(stream.status).toBe(200);
      expect(stream.text).toMatch(/^event: hello/);
      expect(stream.text).not.toContain('HTTP/1.');
      const after = await client.next().catch((error: unknown) => error);
      if (after instanceof ClosedWithoutAnswer) return;
      const itself = runtime.answersItself.malformed;
      if (itself === undefined) expectJsonError(after as RawResponse, 400);
      else expect([(after as RawResponse).status, (after as RawResponse).text]).toEqual([itself, '']);
    });
  },
);

describeIf(isProcess && runtime.slowHeaders === 'json 408')(
  `a body that trickles after its answer on ${runtime.name}`,
  () => {
    it(
      'gets its early answer (404) and nothing it did not ask for, even past the request deadline',
      async () => {
        const server = await startRuntime(runtime);
        const client = await connection(server.port);
        client.write('POST /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nx');
        expectJsonError(await client.next('POST'), 404);
        const answered = client.received;
        // One byte every 2 s, past the deadline of a whole request: the server ends the connection then.
        const trickle = setInterval(() => client.write('x'), 2_000);
        try {
          await client.closedByServer;
        } finally {
          clearInterval(trickle);
        }
        expect(client.received).toBe(answered);
      },
      CONNECTION_TIMEOUTS.requestMs + 20_000,
    );
  },
);

describeIf(isProcess && runtime.servesPipelinedRequestsAtOnce && runtime.hasPool)(
  `pipelined pool requests whose client left on ${runtime.name}`,
  () => {
    it('are dropped from the queue: cancelled, never run', async () => {
      const server = await startRuntime(runtime, { poolThreads: 1, maxQueue: 10 });
      const client = await connection(server.port);
      const one = 'POST /delay?mode=pool&ms=1500 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n';
      client.write(one.repeat(4));
      await untilMetrics(server.url, (samples) => total(samples, 'lab_pool_queued_tasks') === 3);
      client.close();
      const after = await untilMetrics(server.url, (samples) => total(samples, 'lab_pool_cancelled_total') === 3);
      expect(total(after, 'lab_http_requests_total', { route: '/delay', status: '499' })).toBe(3);
    });
  },
);

describeIf(isProcess && runtime.hasGracefulShutdown)(`SIGTERM early on ${runtime.name}`, () => {
  /**
   * Far above any answer here: a stop that ends only by it logs a warning, which the tests look for.
   * Shorter where the runtime's drain waits for a body in transit (Deno), so as not to wait long for it.
   */
  const SHUTDOWN_TIMEOUT_MS = runtime.drainWaitsForBodyInTransit ? 3_000 : 20_000;
  /** Between two looks at a condition that the server's start makes true. */
  const pollInterval = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 5));
  const untilStopping = (server: StartedServer): Promise<unknown> =>
    server.process.waitForLog((entry) => entry.event === 'server_stopping');

  it.each([
    ['a new connection', false],
    ['a kept-alive connection', true],
  ])(
    'with a request body in transit on %s: 503 shutting_down at once, the connection closed, exit 0',
    async (_how, keptAlive) => {
      const server = await startRuntime(runtime, { shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS });
      const client = await connection(server.port);
      if (keptAlive) expect((await client.request('GET', '/health')).status).toBe(200);
      // Three bytes of a 23-byte body; the rest never comes, so any answer came before the body ended.
      client.write(
        'POST /delay?mode=async&ms=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 23\r\n\r\n{"m',
      );
      await untilMetrics(server.url, (samples) => total(samples, 'lab_http_requests_in_flight') === 2);
      server.process.child.kill('SIGTERM');
      const refused = await client.next('POST');
      expectJsonError(refused, 503);
      expect([(refused.json as { error: string }).error, refused.closes]).toEqual(['shutting_down', true]);
      expect(await server.process.exited).toEqual({ code: 0, signal: null });
      await client.closedByServer;
      // Ended with the answer, not by --shutdown-timeout (except where the runtime holds its drain for the body).
      const warnings = server.process.logs.filter((entry) => entry.level === 'warn');
      expect(warnings).toHaveLength(runtime.drainWaitsForBodyInTransit ? 1 : 0);
      expect(server.process.logs.filter((entry) => entry.level === 'error')).toEqual([]);
    },
    SHUTDOWN_TIMEOUT_MS + 30_000,
  );

  it(
    'with an answer given before the body arrived (404), the answer goes and the stop does not wait for the body',
    async () => {
      const server = await startRuntime(runtime, { shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS });
      const client = await connection(server.port);
      client.write('POST /nope HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nx');
      // Answered by the app (a runtime may still hold the answer, reading the body to keep the connection).
      await untilMetrics(
        server.url,
        (samples) => total(samples, 'lab_http_requests_total', { route: 'unmatched', status: '404' }) === 1,
      );
      const answer = client.next('POST');
      void answer.catch(() => {}); // awaited below
      server.process.child.kill('SIGTERM');
      await untilStopping(server);
      expectJsonError(await answer, 404);
      expect(await server.process.exited).toEqual({ code: 0, signal: null });
      const warnings = server.process.logs.filter((entry) => entry.level === 'warn');
      expect(warnings).toHaveLength(runtime.drainWaitsForBodyInTransit ? 1 : 0);
    },
    SHUTDOWN_TIMEOUT_MS + 30_000,
  );

  /**
   * The matrix's command with test/contract/fixtures/sigterm-while-loading.js loaded after the runtime's
   * own preloads and just before the entry, with the flag each runtime preloads a module by.
   */
  const signalledWhileLoading = (args: string[]): string[] => {
    const entry = args.findIndex((arg) => /^adapters\/\w+\/main\.ts$/.test(arg));
    expect(entry, args.join(' ')).toBeGreaterThan(-1);
    const preload = runtime.name === 'node' ? '--import' : '--preload';
    return [
      ...args.slice(0, entry),
      preload,
      './test/contract/fixtures/sigterm-while-loading.js',
      ...args.slice(entry),
    ];
  };

  it.each([1, 2])(
    'stopped while its modules load (--workers %i): the signal is held, a stop like any other, exit 0',
    async (workers) => {
      const port = await freePort();
      const { command, args, env } = runtime.command(port, workers > 1 ? { workers } : {});
      const server = new ServerProcess({
        command,
        args: signalledWhileLoading(args),
        cwd: REPO_ROOT,
        ...(env ? { env } : {}),
        isReady: () => true,
      });
      // Not a death by the signal (exit 143, no log): the preload held it and the lifecycle took it.
      expect(await server.exited, server.tail()).toEqual({ code: 0, signal: null });
      const stopping = server.logs.filter((entry) => entry.event === 'server_stopping');
      expect(stopping.map((entry) => String(entry.message).split(':')[0])).toEqual(['SIGTERM']);
      if (workers === 1)
        expect(server.logs.map((entry) => entry.event)).toEqual(['server_ready', 'server_stopping', 'server_stopped']);
      expect(server.logs.filter((entry) => entry.level !== 'info')).toEqual([]);
      const children = server.logs.filter((entry) => entry.event === 'worker_started').map((entry) => entry.child);
      expect(children.filter((child) => isAlive(child as number))).toEqual([]);
    },
  );

  describeIf(runtime.hasWorkers)('under --workers 2', () => {
    /** The processes `pid` has started and that still run (the kernel's list of its children). */
    const childrenOf = (pid: number): number[] => {
      try {
        return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    };

    it('while its processes start: the supervisor stops them all, leaves none behind and exits 0', async () => {
      const port = await freePort();
      const { command, args, env } = runtime.command(port, { workers: 2, shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS });
      const supervisor = new ServerProcess({
        command,
        args,
        cwd: REPO_ROOT,
        ...(env ? { env } : {}),
        isReady: () => true,
      });
      // Polled: the supervisor has started a first process (SIGTERM then comes before server_ready).
      let started: number[] = [];
      while (started.length === 0 && supervisor.isRunning) {
        started = childrenOf(supervisor.pid);
        if (started.length === 0) await pollInterval();
      }
      expect(started, supervisor.tail()).not.toEqual([]);
      supervisor.child.kill('SIGTERM');
      expect(await supervisor.exited).toEqual({ code: 0, signal: null });
      const everyChild = new Set([
        ...started,
        ...supervisor.logs.filter((entry) => entry.event === 'worker_started').map((entry) => entry.child as number),
      ]);
      expect([...everyChild].filter(isAlive)).toEqual([]);
      expect(supervisor.logs.filter((entry) => entry.level !== 'info')).toEqual([]);
    });
  });
});
