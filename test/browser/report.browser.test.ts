// The lab end to end: a real short run against Node (every runtime asked for, the missing ones
// reported), then the HTML report opened in headless Chromium (tools/harness/chromium.ts decides which).
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../tools/harness/repo-root.ts';
import { RUNTIMES } from '../../tools/harness/runtimes.ts';
import type { LabReport } from '../../tools/lab/results.ts';
import { ServerProcess, stopAllServers } from '../../tools/harness/server-process.ts';
import { CHROMIUM_ARGS, chooseChromium } from '../../tools/harness/chromium.ts';

const N = 3;
const ARTIFACTS = resolve(REPO_ROOT, 'test-artifacts');

let out: string;
let userDataDir: string;
let context: BrowserContext | undefined;
let lab: { code: number | null; stdout: string };

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'lab-report-'));
  userDataDir = await mkdtemp(join(tmpdir(), 'lab-chromium-'));
  // The lab CLI as users run it, stdout piped (so no colours), NO_COLOR unset.
  const child = new ServerProcess({
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      'tools/lab/main.ts',
      '--runtime',
      'all',
      '--mode',
      'all',
      '-n',
      String(N),
      '--ms',
      '150',
      '--out',
      out,
    ],
    cwd: REPO_ROOT,
    env: { NO_COLOR: '' },
    isReady: () => true,
  });
  const { code } = await child.exited;
  lab = { code, stdout: child.output.join('\n') };
}, 90_000);

afterAll(async () => {
  await context?.close();
  await stopAllServers();
  await rm(userDataDir, { recursive: true, force: true });
  await rm(out, { recursive: true, force: true });
});

describe('npm run lab -- --runtime all --mode all', () => {
  it('runs every mode on node, reports the runtimes it lacks as not available, and prints the summary without colours when piped', () => {
    expect(lab.code, lab.stdout).toBe(0);
    for (const mode of ['blocking', 'async', 'pool'])
      expect(lab.stdout).toContain(`node · ${mode} · ${N} × 150 ms sleep`);
    expect(lab.stdout).toMatch(
      /runtime\s+mode\s+work\s+procs\s+n × ms\s+makespan\s+ideal\s+efficiency\s+p50\s+p99\s+worst \/health\s+per worker\s+errors/,
    );
    expect(lab.stdout).not.toContain('\u001b[');
  });

  it('writes the raw data: every request answered, with its interval and worker', async () => {
    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as LabReport;
    // Every runtime of the matrix that this checkout can start, in every mode it has.
    const expected = Object.values(RUNTIMES)
      .filter((runtime) => !report.skipped.some((s) => s.runtime === runtime.name && s.mode === 'all'))
      .flatMap((runtime) =>
        (runtime.hasPool ? ['blocking', 'async', 'pool'] : ['blocking', 'async']).map(
          (mode) => `${runtime.name} ${mode}`,
        ),
      );
    expect(report.runs.map((r) => `${r.runtime} ${r.mode}`).sort()).toEqual(expected.sort());
    expect(expected).toContain('node pool');
    // In CI every runtime is installed (npm ci): a lab that could start only some of them is a broken install.
    if (process.env.CI) expect(report.skipped.filter((s) => s.mode === 'all')).toEqual([]);
    for (const run of report.runs) {
      expect(run.requests).toHaveLength(N);
      for (const request of run.requests) {
        expect(request.status).toBe(200);
        expect(request.endTime!).toBeGreaterThan(request.startTime!);
        expect(request.workerId).toBeDefined();
      }
      expect(run.health.length).toBeGreaterThan(0);
    }
    const names = new Set(report.skipped.map((s) => s.runtime));
    for (const runtime of ['bun', 'deno', 'workerd'])
      if (!report.runs.some((r) => r.runtime === runtime)) expect(names).toContain(runtime);
  });

  it('draws every timeline and the summary table in a real browser, fetching nothing', async () => {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: (await chooseChromium()).path,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const page = await context.newPage();
    const fetched: string[] = [];
    page.on('request', (request) => fetched.push(request.url()));
    const reportUrl = pathToFileURL(join(out, 'report.html')).href;
    await page.goto(reportUrl);

    const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as LabReport;
    const timelines = page.locator('svg.timeline');
    await expect.poll(() => timelines.count()).toBe(report.runs.length);
    for (const run of report.runs) {
      const svg = page.locator(`svg.timeline[data-runtime="${run.runtime}"][data-mode="${run.mode}"]`);
      expect(await svg.locator('rect.bar').count()).toBe(N);
      const box = await svg.boundingBox();
      expect(box?.width).toBeGreaterThan(100);
      expect(box?.height).toBeGreaterThan(N * 10);
    }
    const rows = page.locator('#summary tbody tr');
    expect(await rows.count()).toBe(report.runs.length);
    expect(await page.locator('#summary thead th').allTextContents()).toContain('efficiency');
    expect(await page.locator('#not-available li').count()).toBe(report.skipped.length);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'lab-report.png'), fullPage: true });
    expect(fetched).toEqual([reportUrl]);
  });
});
