// GET /docs in a real browser on every runtime: Swagger UI renders this server's /openapi.json,
// everything comes from the server's own origin (no CDN), the strict CSP refuses nothing the page
// needs (a refusal is a console error), and Try it out on POST /delay gets a 200 with worker_id.
// Which Chromium: tools/harness/chromium.ts decides.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../tools/harness/chromium.ts';
import { RUNTIMES } from '../../tools/harness/runtimes.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';

let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await stopAllServers();
});

describe.each(Object.values(RUNTIMES).map((runtime) => [runtime.name, runtime] as const))(
  'GET /docs on %s',
  (_name, runtime) => {
    let server: StartedServer;
    beforeAll(async () => {
      server = await startRuntime(runtime, { maxDelayMs: 1_000 });
    });
    afterAll(() => server.process.stop());

    it('renders the API from this origin alone, without a console error, and Try it out on POST /delay answers 200 with worker_id', async () => {
      const context = await browser!.newContext();
      try {
        const page = await context.newPage();
        const problems: string[] = [];
        const elsewhere: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') problems.push(message.text());
        });
        page.on('pageerror', (error) => problems.push(error.message));
        page.on('request', (request) => {
          const url = request.url();
          if (!url.startsWith(`${server.url}/`) && !url.startsWith('data:')) elsewhere.push(url);
        });

        await page.goto(`${server.url}/docs`);
        await expect.poll(() => page.locator('.swagger-ui .info .title').textContent()).toContain('Concurrency Lab');
        for (const path of ['/', '/delay', '/health', '/info', '/metrics'])
          expect(await page.locator(`.opblock-summary-path[data-path="${path}"]`).count(), path).toBe(1);

        const delay = page.locator('#operations-default-delay');
        await delay.locator('.opblock-summary').click();
        await delay.locator('.try-out__btn').click();
        await delay.locator('tr[data-param-name="ms"] input').fill('0');
        await delay.locator('tr[data-param-name="mode"] select').selectOption('async');
        await delay.locator('.execute').click();

        const status = delay.locator('.live-responses-table .response .response-col_status');
        await expect.poll(() => status.first().textContent()).toContain('200');
        const body = JSON.parse(
          (await delay.locator('.live-responses-table .response-col_description pre').first().textContent()) ?? '',
        ) as Record<string, unknown>;
        expect(body).toMatchObject({ mode: 'async', ms: 0, runtime: runtime.name });
        expect(body.worker_id).toBeDefined();

        expect(elsewhere).toEqual([]);
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    });
  },
);
