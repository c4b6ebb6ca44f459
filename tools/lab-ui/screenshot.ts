// `npm run screenshot:lab`: starts the Node server on a free loopback port, opens the live lab in
// Chromium (tools/harness/chromium.ts decides which), runs every mode side by side, and writes
// docs/images/live-lab.png (1280 px wide) and docs/images/live-lab-375.png (a phone's 375 px). The
// server and the browser are stopped however it ends.
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { REPO_ROOT } from '../harness/repo-root.ts';
import { RUNTIMES } from '../harness/runtimes.ts';
import { stopAllServers } from '../harness/server-process.ts';
import { chooseChromium, describeChromium, launchChromium } from '../harness/chromium.ts';
import { startRuntime } from '../harness/start-runtime.ts';

/** Each width the page is drawn at, and the file it goes to. */
const SHOTS = [
  { width: 1280, height: 900, out: resolve(REPO_ROOT, 'docs/images/live-lab.png') },
  { width: 375, height: 800, out: resolve(REPO_ROOT, 'docs/images/live-lab-375.png') },
];
const QUERY = 'mode=all&n=4&ms=500&run=1';

let browser: Browser | undefined;
try {
  const server = await startRuntime(RUNTIMES.node!, { maxDelayMs: 10_000 });
  console.log(`browser: ${describeChromium(await chooseChromium())}`);
  browser = await launchChromium();
  for (const { width, height, out } of SHOTS) {
    const page = await browser.newPage({ viewport: { width, height }, colorScheme: 'light', deviceScaleFactor: 1 });
    const url = `${server.url}/lab?${QUERY}`;
    console.log(`opening ${url} at ${width} px`);
    await page.goto(url);
    // Done when every run has drawn its summary: the page marks it (a condition, not a timed wait).
    await page.waitForFunction(
      () => {
        const { document } = globalThis as unknown as {
          document: { querySelectorAll(s: string): { length: number } };
        };
        return (
          document.querySelectorAll('#runs .run').length === 3 &&
          document.querySelectorAll('#runs .run[data-state="running"]').length === 0
        );
      },
      null,
      { timeout: 60_000 },
    );
    await mkdir(dirname(out), { recursive: true });
    await page.screenshot({ path: out, fullPage: true });
    console.log(`wrote ${out}: ${await page.locator('#status').textContent()}`);
    await page.close();
  }
} finally {
  await browser?.close();
  await stopAllServers();
}
