// `npm run screenshot:lab`: starts the Node server on a free loopback port, opens the live lab in
// Chromium (tools/harness/chromium.ts decides which), runs every mode side by side, and writes
// docs/images/live-lab.png. The server and the browser are stopped however it ends.
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { REPO_ROOT } from '../harness/repo-root.ts';
import { RUNTIMES } from '../harness/runtimes.ts';
import { stopAllServers } from '../harness/server-process.ts';
import { chooseChromium, describeChromium, launchChromium } from '../harness/chromium.ts';
import { startRuntime } from '../harness/start-runtime.ts';

const OUT = resolve(REPO_ROOT, 'docs/images/live-lab.png');
const QUERY = 'mode=all&n=4&ms=500&run=1';

let browser: Browser | undefined;
try {
  const server = await startRuntime(RUNTIMES.node!, { maxDelayMs: 10_000 });
  console.log(`browser: ${describeChromium(await chooseChromium())}`);
  browser = await launchChromium();
  const page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    colorScheme: 'light',
    deviceScaleFactor: 1,
  });
  const url = `${server.url}/lab?${QUERY}`;
  console.log(`opening ${url}`);
  await page.goto(url);
  // Done when every run has drawn its summary: the page marks it (a condition, not a timed wait).
  await page.waitForFunction(
    () => {
      const { document } = globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } };
      return (
        document.querySelectorAll('#runs .run').length === 3 &&
        document.querySelectorAll('#runs .run[data-state="running"]').length === 0
      );
    },
    null,
    { timeout: 60_000 },
  );
  await mkdir(dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  console.log(`wrote ${OUT}: ${await page.locator('#status').textContent()}`);
} finally {
  await browser?.close();
  await stopAllServers();
}
