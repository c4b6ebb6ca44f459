// GET /lab and /lab/* on the app itself (a fake runtime); the page in a real browser on every runtime
// is test/contract/live-lab.test.ts.
import { describe, expect, it } from 'vitest';
import { createApp } from '../app.ts';
import { FakePool, fakeRuntime } from '../fake-runtime.ts';
import { createLogger } from '../logger.ts';
import { LAB_PATHS, MAX_STREAMS } from './lab-routes.ts';

const silent = createLogger({ format: 'off', now: () => 0 });
const appWith = (labUi: boolean, pool?: FakePool) =>
  createApp({ runtime: fakeRuntime(pool), defaultMode: 'async', maxDelayMs: 10_000, logger: silent, labUi });

/** The page limit of issue #13: the page and everything it loads. */
const PAGE_BUDGET_BYTES = 60 * 1024;

describe('GET /lab', () => {
  it('serves the page under a strict CSP: scripts, styles and connections from this origin only, nothing inline', async () => {
    const response = await appWith(true, new FakePool()).request('/lab');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const page = await response.text();
    expect(page).toContain('<script type="module" src="/lab/app.js"></script>');
    expect(page).toContain('<link rel="stylesheet" href="/lab/app.css">');
    // Nothing from another origin, and nothing the CSP would refuse.
    expect(page).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(page).not.toMatch(/<script>|<style|style="|\son[a-z]+="/);
  });

  it('weighs, with all it loads, at most 60 KB', async () => {
    const app = appWith(true, new FakePool());
    const sizes = await Promise.all(
      ['/lab', '/lab/app.js', '/lab/app.css'].map(
        async (path) => (await (await app.request(path)).arrayBuffer()).byteLength,
      ),
    );
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(PAGE_BUDGET_BYTES);
  });

  it('serves its script and style with their types', async () => {
    const app = appWith(true);
    const script = await app.request('/lab/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await app.request('/lab/app.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('shows a mode the server lacks as unavailable, in the words of its 501', async () => {
    const app = appWith(true);
    const refusal = (await (await app.request('/delay?mode=pool', { method: 'POST' })).json()) as { message: string };
    const page = await (await app.request('/lab')).text();
    expect(page).toMatch(/<input type="radio" name="mode" value="pool" disabled/);
    expect(page).toContain(`unavailable: ${refusal.message}`);
    // async with cpu work is refused too (400): the page learns it from the same data, and its advice
    // names only modes this server has (no pool here).
    expect(page).toMatch(/data-unavailable="[^"]*async[^"]*cpu/);
    expect(page).toMatch(/use mode=blocking/);
    expect(page).not.toMatch(/use mode=pool/);
  });

  it('answers 405 with Allow for another method', async () => {
    const response = await appWith(true).request('/lab', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('is gone with --lab off: every /lab path is 404', async () => {
    const app = appWith(false);
    for (const path of LAB_PATHS) expect((await app.request(path)).status, path).toBe(404);
    expect((await app.request('/health')).status).toBe(200);
  });
});

describe('GET /lab/events', () => {
  it('says hello, then streams the request events of this process, each naming its X-Lab-Id', async () => {
    const app = appWith(true);
    const response = await app.request('/lab/events');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const readUntil = async (pattern: RegExp): Promise<void> => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`the stream ended before ${pattern}: ${text}`);
        text += value;
      }
    };
    await readUntil(/event: hello\ndata: \{"worker_id":4242,"runtime":"node"/);
    const delay = await app.request('/delay?mode=async&ms=5', { method: 'POST', headers: { 'x-lab-id': 'run-7' } });
    expect(delay.status).toBe(200);
    await readUntil(/"event":"response_sent"/);
    await reader.cancel();
    const logs = [...text.matchAll(/event: log\ndata: (.*)\n/g)].map(
      (match) => JSON.parse(match[1]!) as Record<string, unknown>,
    );
    expect(logs.map((log) => log.event)).toEqual(['request_received', 'work_started', 'work_ended', 'response_sent']);
    for (const log of logs)
      expect(log).toMatchObject({ lab_id: 'run-7', worker_id: 4242, request_id: 1, time: expect.any(Number) });
    expect(logs[1]).toMatchObject({ mode: 'async', work: 'sleep', ms: 5 });
  });

  it('answers HEAD with the headers alone, opening no stream; a new stream counts the streams open', async () => {
    const app = appWith(true);
    const head = await app.request('/lab/events', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('text/event-stream');
    const reader = (await app.request('/lab/events')).body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('"streams"')) text += (await reader.read()).value ?? '';
    await reader.cancel();
    expect(text).toContain('"streams":1}');
  });

  it('ignores a malformed X-Lab-Id', async () => {
    const app = appWith(true);
    const reader = (await app.request('/lab/events')).body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    await app.request('/delay?mode=async&ms=1', { method: 'POST', headers: { 'x-lab-id': '<not a lab id>' } });
    while (!text.includes('response_sent')) text += (await reader.read()).value ?? '';
    await reader.cancel();
    expect(text).not.toContain('lab_id');
  });

  /** Opens a stream and reads up to its hello; returns the hello's `streams` and the reader. */
  const openStream = async (app: ReturnType<typeof appWith>, init?: RequestInit) => {
    const response = await app.request('/lab/events?for=60000', init);
    if (response.status !== 200) return { status: response.status, streams: undefined, reader: undefined };
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!/"streams":\d+/.test(text)) text += (await reader.read()).value ?? '';
    return { status: 200, streams: Number(/"streams":(\d+)/.exec(text)![1]), reader };
  };

  it(`frees a stream's slot as soon as its client is gone: ${MAX_STREAMS + 8} streams opened and left, then one opens alone`, async () => {
    const app = appWith(true);
    for (let index = 0; index < MAX_STREAMS + 8; index++) {
      const client = new AbortController();
      const opened = await openStream(app, { signal: client.signal });
      expect(opened.status, `stream ${index + 1}`).toBe(200);
      // The request's signal alone: the stream's own loop is still waiting for its next tick.
      client.abort();
    }
    const alone = await openStream(app);
    expect(alone.streams).toBe(1);
    await alone.reader?.cancel();
  });

  it('frees the slots of streams whose requests never ended (as workerd leaves them) once their deadline has passed', async () => {
    const runtime = fakeRuntime();
    let now = runtime.now();
    runtime.now = () => now;
    const app = createApp({ runtime, defaultMode: 'async', maxDelayMs: 10_000, logger: silent, labUi: true });
    const held = [];
    for (let index = 0; index < MAX_STREAMS; index++) held.push(await openStream(app));
    expect(held.map((opened) => opened.status)).toEqual(Array(MAX_STREAMS).fill(200));
    expect((await openStream(app)).status).toBe(503);
    // No stream has ended (their clock has not moved), none was cancelled: only their deadline frees them.
    now += 60_000 + 2_000;
    const after = await openStream(app);
    expect([after.status, after.streams]).toEqual([200, 1]);
    for (const opened of [...held, after]) await opened.reader?.cancel();
  });
});
