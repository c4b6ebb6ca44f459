import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { Metrics } from './metrics.ts';
import { createLogger } from './logger.ts';
import { fakeRuntime, FakePool } from './fake-runtime.ts';

const silent = createLogger({ format: 'off', now: () => 0 });

type AppOptions = Parameters<typeof createApp>[0];

/** The options most tests share (async by default, 10 s at most, no log), with `extra` on top. */
function optionsWith(extra: Partial<AppOptions> = {}): AppOptions {
  return { runtime: fakeRuntime(), defaultMode: 'async', maxDelayMs: 10_000, logger: silent, ...extra };
}

function appWith(pool?: FakePool) {
  const runtime = fakeRuntime(pool);
  const app = createApp(optionsWith({ runtime }));
  return { app, runtime };
}

describe('POST /delay', () => {
  it('blocking mode blocks the runtime for the asked time and reports the interval in the FastAPI guide format', async () => {
    const { app, runtime } = appWith();
    const response = await app.request('/delay?mode=blocking&ms=3000', { method: 'POST' });
    expect(response.status).toBe(200);
    expect(runtime.blocked).toEqual([{ ms: 3000, work: 'sleep' }]);
    expect(await response.json()).toEqual({
      message: 'Response after 3 seconds delay',
      mode: 'blocking',
      work: 'sleep',
      ms: 3000,
      runtime: 'node',
      worker_id: 4242,
      thread_id: 0,
      start_time: '2026-11-25 18:52:11.123456',
      end_time: '2026-11-25 18:52:14.123456',
      cpu_ms: 0,
    });
  });

  it('defaults to the server mode, 3000 ms and sleep', async () => {
    const { app, runtime } = appWith();
    const response = await app.request('/delay', { method: 'POST' });
    expect(await response.json()).toMatchObject({ mode: 'async', ms: 3000, work: 'sleep' });
    expect(runtime.slept).toEqual([3000]);
  });

  it('pool mode hands the work to the pool and reports the thread it ran on', async () => {
    const pool = new FakePool();
    const { app } = appWith(pool);
    const response = await app.request('/delay', {
      method: 'POST',
      body: JSON.stringify({ mode: 'pool', ms: 1000, work: 'cpu' }),
    });
    expect(await response.json()).toMatchObject({ thread_id: 7, message: 'Response after 1 second delay' });
    expect(pool.runs).toEqual([{ ms: 1000, work: 'cpu' }]);
  });

  it('pool mode on a runtime without a pool is 501 naming the modes it has', async () => {
    const { app } = appWith();
    const response = await app.request('/delay?mode=pool', { method: 'POST' });
    expect(response.status).toBe(501);
    expect(await response.json()).toEqual({
      error: 'mode_unsupported',
      message: expect.stringMatching(/blocking and async/),
    });
  });

  it('a full pool is 503 overloaded with Retry-After', async () => {
    const pool = new FakePool();
    pool.overloaded = true;
    const { app } = appWith(pool);
    const response = await app.request('/delay?mode=pool&ms=2500', { method: 'POST' });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(((await response.json()) as { error: string }).error).toBe('overloaded');
  });

  it('an error thrown by the runtime is a JSON 500 without a stack trace', async () => {
    const { app, runtime } = appWith();
    runtime.block = () => {
      throw new Error('disk on fire at /secret/path.ts:12:3');
    };
    const response = await app.request('/delay?mode=blocking&ms=1', { method: 'POST' });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: 'internal_error' });
    expect(text).not.toContain('secret');
  });

  it('a repeated query parameter is 400', async () => {
    const { app } = appWith();
    const response = await app.request('/delay?ms=1&ms=2', { method: 'POST' });
    expect(response.status).toBe(400);
  });
});

describe('routes', () => {
  it('GET /info lists modes, limits and the pool', async () => {
    const { app } = appWith(new FakePool());
    expect(await (await app.request('/info')).json()).toMatchObject({
      runtime: 'node',
      modes: ['blocking', 'async', 'pool'],
      default_mode: 'async',
      max_delay_ms: 10_000,
      pool: { min_threads: 1, max_threads: 4, max_queue: 2 },
      processes: { count: 1 },
    });
  });

  it('405 carries an Allow header naming the methods of the route', async () => {
    const { app } = appWith();
    const response = await app.request('/health', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('an unknown path is a JSON 404, its echo of the path cut short', async () => {
    const { app } = appWith();
    const response = await app.request(`/${'a'.repeat(5000)}`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: string; message: string };
    expect(body.error).toBe('not_found');
    expect(body.message.length).toBeLessThan(200);
  });

  it('the 404 lists /lab among the routes when the live lab is on, and not when it is off', async () => {
    const message = async (labUi: boolean): Promise<string> => {
      const app = createApp({ runtime: fakeRuntime(), defaultMode: 'async', maxDelayMs: 10, logger: silent, labUi });
      return ((await (await app.request('/nope')).json()) as { message: string }).message;
    };
    expect(await message(true)).toMatch(/the routes are .*\/metrics, \/openapi.json, \/lab$/);
    expect(await message(false)).not.toContain('/lab');
  });
});

describe('under --workers (a ClusterView given)', () => {
  const cluster = {
    metrics: async () => '# every process\n',
    processes: async () => ({
      supervisor: { pid: 1, uptime_seconds: 9, restarts: 0, gave_up: false },
      list: [{ pid: 4242, uptime_seconds: 3, requests_served: 5 }],
      missing: [],
    }),
  };

  it('GET /metrics answers with what the supervisor collected', async () => {
    const app = createApp(optionsWith({ cluster }));
    const response = await app.request('/metrics');
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await response.text()).toBe('# every process\n');
  });

  it('GET /info lists every process beside how they share the port', async () => {
    const app = createApp(optionsWith({ cluster }));
    expect(((await (await app.request('/info')).json()) as { processes: unknown }).processes).toEqual({
      count: 1,
      balancing: 'one process',
      supervisor: { pid: 1, uptime_seconds: 9, restarts: 0, gave_up: false },
      list: [{ pid: 4242, uptime_seconds: 3, requests_served: 5 }],
      missing: [],
    });
  });
});

describe('answers /metrics must count', () => {
  it('a request that arrives once a drain began is refused with 503 shutting_down, and counted', async () => {
    const drain = new AbortController();
    const metrics = new Metrics();
    const runtime = fakeRuntime();
    const app = createApp(optionsWith({ runtime, metrics, drain: drain.signal }));
    drain.abort();
    const refused = await app.request('/health');
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'shutting_down' });
    expect(metrics.render(runtime)).toContain('route="/health",method="GET",mode="",status="503"} 1');
    expect(metrics.render(runtime)).toMatch(/lab_http_requests_in_flight\{[^}]*\} 0/);
  });

  it('a body whose stream breaks (the client left mid-body) is 499 client_closed, never a 500 or an error log', async () => {
    const metrics = new Metrics();
    const logged: string[] = [];
    const logger = { ...silent, enabled: false, error: (event: string) => void logged.push(event) };
    const runtime = fakeRuntime();
    const app = createApp(optionsWith({ runtime, logger: logger as typeof silent, metrics }));
    const broken = (): ReadableStream<Uint8Array> =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"ms"'));
          controller.error(new Error('aborted'));
        },
      });
    const framings: Record<string, string>[] = [{ 'content-length': '100' }, { 'transfer-encoding': 'chunked' }];
    for (const headers of framings) {
      const response = await app.request('/delay', {
        method: 'POST',
        body: broken(),
        headers,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(499);
      expect(await response.json()).toMatchObject({ error: 'client_closed' });
    }
    expect(metrics.render(runtime)).toContain('route="/delay",method="POST",mode="",status="499"} 2');
    expect(logged).toEqual([]);
  });

  it('a body still arriving when a drain begins: 503 shutting_down at once, without waiting for the rest', async () => {
    const metrics = new Metrics();
    const runtime = fakeRuntime();
    const framings: Record<string, string>[] = [{ 'content-length': '100' }, { 'transfer-encoding': 'chunked' }];
    for (const headers of framings) {
      const drain = new AbortController();
      const app = createApp(optionsWith({ runtime, metrics, drain: drain.signal }));
      let bodyRead!: () => void;
      const reading = new Promise<void>((resolve) => (bodyRead = resolve));
      // Its first bytes, then nothing more: the client is still sending.
      const arriving = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"ms"'));
        },
        pull() {
          bodyRead();
          return new Promise(() => {});
        },
      });
      const answer = app.request('/delay', { method: 'POST', body: arriving, headers, duplex: 'half' } as RequestInit);
      await reading;
      drain.abort();
      const response = await answer;
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({ error: 'shutting_down' });
    }
    expect(metrics.render(runtime)).toContain('route="/delay",method="POST",mode="",status="503"} 2');
    expect(metrics.render(runtime)).toMatch(/lab_http_requests_in_flight\{[^}]*\} 0/);
  });
});
