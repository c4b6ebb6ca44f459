// The live lab page (GET /lab) in Chromium (tools/harness/chromium.ts decides which), once per runtime of the matrix (CONTRACT_RUNTIME):
// it lives here, not in test/browser/, so that every runtime project runs it. What a run shows is
// judged from what the page drew: each request element's data-start/data-end (the server's own
// start_time/end_time), never from how long anything took.
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { post, request } from '../../tools/harness/http-client.ts';
import { REPO_ROOT } from '../../tools/harness/repo-root.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';
import { describeIf, itIf } from '../support/conditional.ts';
import { overlappingPairs, type Interval } from '../support/intervals.ts';
import { launchChromium } from '../../tools/harness/chromium.ts';

const runtime = runtimeUnderTest();
const ARTIFACTS = resolve(REPO_ROOT, 'test-artifacts');

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  // Pages first: an open event stream would otherwise hold a server's graceful stop.
  await browser?.close();
  await stopAllServers();
});

interface OpenPage {
  page: Page;
  /** Every URL the page asked for, in order. */
  requested: string[];
  /** Requests to any other origin: refused, and listed here. */
  foreign: string[];
  /** Console errors, uncaught exceptions and CSP violations. */
  errors: string[];
}

async function openLab(
  server: StartedServer,
  query: string,
  viewport = { width: 1280, height: 900 },
): Promise<OpenPage> {
  const page = await browser.newPage({ viewport });
  const opened: OpenPage = { page, requested: [], foreign: [], errors: [] };
  const origin = new URL(server.url).origin;
  await page.route(
    (url) => url.origin !== origin && url.protocol !== 'data:',
    (route) => {
      opened.foreign.push(route.request().url());
      return route.abort();
    },
  );
  page.on('request', (r) => opened.requested.push(`${r.method()} ${r.url()}`));
  page.on('console', (message) => {
    if (message.type() === 'error') opened.errors.push(message.text());
  });
  page.on('pageerror', (error) => opened.errors.push(error.message));
  await page.goto(`${server.url}/lab?${query}`);
  return opened;
}

/** The little of the page's DOM these checks read (this project is typed without the DOM; the page's CSP forbids evaluating strings). */
interface PageGlobals {
  document: {
    querySelector(selector: string): { disabled?: boolean } | null;
    querySelectorAll(selector: string): { length: number };
    documentElement: { scrollWidth: number };
  };
}

/** Waits until the page has drawn every run it started (a condition the page sets, not a timed wait). */
async function finished(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as PageGlobals;
      return (
        document.querySelectorAll('#runs .run').length > 0 &&
        !document.querySelector('#runs .run[data-state="running"]') &&
        document.querySelector('#stop')?.disabled === true
      );
    },
    null,
    { timeout: 45_000 },
  );
}

/** The intervals the page drew for one run, from the data attributes of its request elements. */
async function drawnIntervals(page: Page, mode: string): Promise<(Interval & { eventStart?: number })[]> {
  const rows = await page.locator(`.run[data-mode="${mode}"] .req`).all();
  return Promise.all(
    rows.map(async (row) => {
      const [start, end, worker, thread, eventStart] = await Promise.all(
        ['start', 'end', 'worker', 'thread', 'event-start'].map((name) => row.getAttribute(`data-${name}`)),
      );
      return {
        start: Number(start),
        end: Number(end),
        workerId: /^\d+$/.test(worker ?? '') ? Number(worker) : String(worker),
        threadId: Number(thread),
        ...(eventStart ? { eventStart: Number(eventStart) } : {}),
      };
    }),
  );
}

/** The slot limit of /lab/events (src/lab-ui/lab-routes.ts MAX_STREAMS); the tests leave more streams than this. */
const MAX_STREAMS = 32;

/**
 * Opens GET /lab/events as EventSource would, reads up to its `hello`, and returns its status, the
 * `streams` the hello counted (open in that process, this one included), and `leave`, which drops
 * the connection as a closed tab does.
 */
async function openEventStream(
  server: StartedServer,
): Promise<{ status: number; streams?: number; leave: () => void }> {
  const client = new AbortController();
  const response = await fetch(`${server.url}/lab/events?for=60000`, { signal: client.signal });
  const leave = (): void => client.abort();
  if (response.status !== 200 || !response.body) {
    leave();
    return { status: response.status, leave };
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!/"streams":\d+/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  const streams = /"streams":(\d+)/.exec(text)?.[1];
  return { status: response.status, ...(streams ? { streams: Number(streams) } : {}), leave };
}

/** Waits until a new stream's hello counts no stream but itself: every client before it has left, and the server knows. */
async function expectStreamsAlone(server: StartedServer): Promise<void> {
  await vi.waitFor(
    async () => {
      const probe = await openEventStream(server);
      probe.leave();
      expect(probe).toMatchObject({ status: 200, streams: 1 });
    },
    { timeout: 15_000, interval: 200 },
  );
}

function expectClean(opened: OpenPage, origin: string): void {
  expect(opened.foreign).toEqual([]);
  expect(
    opened.requested.filter((line) => !/^\S+ data:/.test(line) && !line.split(' ')[1]!.startsWith(`${origin}/`)),
  ).toEqual([]);
  expect(opened.errors).toEqual([]);
}

describe(`live lab page on ${runtime.name}`, () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startRuntime(runtime, { maxDelayMs: 5_000 });
  });

  it('is served under a strict CSP, with its own script and style from this origin; the ready line names it', async () => {
    const response = await request(`${server.url}/lab`);
    expect(response.status).toBe(200);
    expect(String(response.headers['content-security-policy'])).toMatch(/default-src 'none'.*script-src 'self'/);
    expect((await request(`${server.url}/lab/app.js`)).status).toBe(200);
    // Workers: wrangler prints the ready line; the app logs nothing until its first request.
    if (runtime.name !== 'workerd') {
      const ready = server.process.logs.find((entry) => entry.event === 'server_ready');
      expect(ready).toMatchObject({
        lab_url: `${server.url}/lab`,
        message: expect.stringContaining(`live lab at ${server.url}/lab`),
      });
    }
  });

  it('async: four requests are drawn as they are sent, and their work overlaps; the event stream turned each bar solid', async () => {
    const opened = await openLab(server, 'mode=async&n=4&ms=300&run=1');
    await finished(opened.page);
    const intervals = await drawnIntervals(opened.page, 'async');
    expect(intervals).toHaveLength(4);
    for (const interval of intervals) expect(interval.end).toBeGreaterThan(interval.start);
    expect(overlappingPairs(intervals)).toHaveLength((4 * 3) / 2);
    // The server's own work_started event reached the page for every request.
    const panel = opened.page.locator('.run[data-mode="async"]');
    expect(await panel.getAttribute('data-stream')).toBe('open');
    for (const interval of intervals) expect(interval.eventStart, 'work_started over /lab/events').toBeGreaterThan(0);
    expect(await panel.locator('.verdict').textContent()).toMatch(
      /^All 4 requests waited side by side: the event loop stayed free/,
    );
    expect(await panel.locator('.summary dt').allTextContents()).toEqual(
      expect.arrayContaining(['makespan', 'ideal', 'efficiency', 'p50', 'p99', 'worst /health', 'per process']),
    );
    // The settings live in the query string: the share link reproduces the run.
    expect(await opened.page.locator('#share').getAttribute('href')).toBe('/lab?mode=async&n=4&ms=300&run=1');
    expectClean(opened, server.url);
    await opened.page.close();
  });

  it('blocking: no two requests overlap, and the page says the loop was blocked', async () => {
    const opened = await openLab(server, 'mode=blocking&n=4&ms=300&run=1');
    await finished(opened.page);
    const intervals = await drawnIntervals(opened.page, 'blocking');
    expect(intervals).toHaveLength(4);
    expect(overlappingPairs(intervals)).toEqual([]);
    expect(new Set(intervals.map((interval) => interval.workerId)).size).toBe(1);
    expect(await opened.page.locator('.run[data-mode="blocking"] .verdict').textContent()).toMatch(
      /^Each request waited for the one before it: the event loop was blocked/,
    );
    expectClean(opened, server.url);
    await opened.page.close();
  });

  itIf(runtime.hasPool)('pool: each request ran on a pool thread, not the loop', async () => {
    const opened = await openLab(server, 'mode=pool&n=4&ms=200&run=1');
    await finished(opened.page);
    const intervals = await drawnIntervals(opened.page, 'pool');
    expect(intervals).toHaveLength(4);
    for (const interval of intervals) expect(interval.threadId).not.toBe(0);
    expectClean(opened, server.url);
    await opened.page.close();
  });

  itIf(!runtime.hasPool)(
    'pool: the page says it is unavailable, in the server\u2019s words, and sends no request for it',
    async () => {
      const refusal = (await post(`${server.url}/delay?mode=pool&ms=1`)).json as { error: string; message: string };
      expect(refusal.error).toBe('mode_unsupported');
      const opened = await openLab(server, 'mode=pool&n=4&ms=300&run=1');
      await finished(opened.page);
      const panel = opened.page.locator('.run[data-mode="pool"]');
      expect(await panel.getAttribute('data-state')).toBe('unavailable');
      expect(await panel.textContent()).toContain(`Unavailable on this server: ${refusal.message}`);
      expect(await opened.page.locator('#status').textContent()).toContain('pool is unavailable here');
      expect(await opened.page.locator('input[name=mode][value=pool]').isDisabled()).toBe(true);
      expect(opened.requested.filter((line) => line.includes('/delay'))).toEqual([]);
      expectClean(opened, server.url);
      await opened.page.close();
    },
  );

  it('works from the keyboard alone, every control named by its label, and the address then holds the experiment', async () => {
    const opened = await openLab(server, '');
    const { page } = opened;
    await page.locator('body[data-ready]').waitFor({ state: 'attached' });
    for (const [role, name] of [
      ['radio', /^blocking/],
      ['radio', /^async/],
      ['radio', /^pool/],
      ['radio', /^sleep/],
      ['radio', /^cpu/],
      ['spinbutton', 'Requests at once'],
      ['spinbutton', 'Milliseconds each'],
      ['checkbox', /Probe \/health/],
      ['button', 'Run'],
      ['button', 'Run every mode'],
      ['button', 'Stop'],
      ['link', 'Link to this experiment'],
    ] as const) {
      expect(await page.getByRole(role, { name, exact: typeof name === 'string' }).count(), `${role} ${name}`).toBe(1);
    }
    await page.getByRole('radio', { name: /^async/ }).focus();
    await page.keyboard.press('ArrowUp');
    expect(await page.getByRole('radio', { name: /^blocking/ }).isChecked()).toBe(true);
    await page.getByRole('spinbutton', { name: 'Requests at once' }).focus();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('2');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('150');
    await page.keyboard.press('Enter');
    await finished(page);
    const intervals = await drawnIntervals(page, 'blocking');
    expect(intervals).toHaveLength(2);
    expect(overlappingPairs(intervals)).toEqual([]);
    expect(new URL(page.url()).search).toBe('?mode=blocking&n=2&ms=150');
    expectClean(opened, server.url);
    await page.close();
  });

  it(`an event stream's slot is freed when its client leaves: ${MAX_STREAMS + 8} streams opened and left, then one opens, and the count returns to it alone`, async () => {
    for (let index = 0; index < MAX_STREAMS + 8; index++) {
      const stream = await openEventStream(server);
      stream.leave();
      expect(stream.status, `stream ${index + 1}`).toBe(200);
    }
    const last = await openEventStream(server);
    last.leave();
    expect(last.status).toBe(200);
    await expectStreamsAlone(server);
  });

  it(`${MAX_STREAMS + 8} runs of the page in a row each get their event stream`, { timeout: 180_000 }, async () => {
    const opened = await openLab(server, '');
    for (let run = 1; run <= MAX_STREAMS + 8; run++) {
      await opened.page.goto(`${server.url}/lab?mode=async&n=1&ms=10&health=off&run=1`);
      await finished(opened.page);
      expect(await opened.page.locator('.run[data-mode="async"]').getAttribute('data-stream'), `run ${run}`).toBe(
        'open',
      );
    }
    expectClean(opened, server.url);
    await opened.page.close();
    await expectStreamsAlone(server);
  });

  it('every mode side by side, at 375 px: one panel a mode, each finished or unavailable (screenshot in test-artifacts/)', async () => {
    const opened = await openLab(server, 'mode=all&n=4&ms=200&run=1', { width: 375, height: 800 });
    await finished(opened.page);
    const states = await Promise.all(
      (await opened.page.locator('#runs .run').all()).map(
        async (run) => `${await run.getAttribute('data-mode')} ${await run.getAttribute('data-state')}`,
      ),
    );
    expect(states).toEqual(['blocking done', 'async done', runtime.hasPool ? 'pool done' : 'pool unavailable']);
    // Nothing wider than the screen: every control and the timelines fit in 375 px.
    expect(
      await opened.page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth),
    ).toBeLessThanOrEqual(375);
    expectClean(opened, server.url);
    await mkdir(ARTIFACTS, { recursive: true });
    await opened.page.setViewportSize({ width: 1280, height: 900 });
    await opened.page.screenshot({ path: join(ARTIFACTS, `live-lab-${runtime.name}.png`), fullPage: true });
    await opened.page.close();
  });
});

describeIf(runtime.hasWorkers)(`live lab page on ${runtime.name} --workers 2`, () => {
  it('any process serves the page, and a run shows the spread over processes with the balancing from /info', async () => {
    const server = await startRuntime(runtime, { workers: 2, maxDelayMs: 5_000 });
    const info = (await request(`${server.url}/info`)).json as { processes: { balancing: string } };
    const opened = await openLab(server, 'mode=blocking&n=4&ms=200&run=1');
    await finished(opened.page);
    const intervals = await drawnIntervals(opened.page, 'blocking');
    expect(intervals).toHaveLength(4);
    // Within one process blocking work never overlaps; across processes it may.
    for (const [a, b] of overlappingPairs(intervals)) expect(a.workerId).not.toBe(b.workerId);
    expect(await opened.page.locator('.run .spread').textContent()).toContain(`Balancing: ${info.processes.balancing}`);
    expectClean(opened, server.url);
    await opened.page.close();
    expect(await server.process.stop()).toEqual({ code: 0, signal: null });
  });
});

describe(`--lab off on ${runtime.name}`, () => {
  it('removes /lab and everything under it, and nothing else', async () => {
    const server = await startRuntime(runtime, { lab: false });
    for (const path of ['/lab', '/lab/app.js', '/lab/app.css', '/lab/events'])
      expect((await request(`${server.url}${path}`)).status, path).toBe(404);
    expect((await request(`${server.url}/info`)).status).toBe(200);
    if (runtime.name !== 'workerd')
      expect(server.process.logs.find((entry) => entry.event === 'server_ready')).not.toHaveProperty('lab_url');
    await server.process.stop();
  });
});
