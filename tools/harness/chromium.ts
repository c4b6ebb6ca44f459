// The one place that decides which Chromium the browser suites, the screenshot command and anything
// else drive through playwright-core (nothing downloads a browser):
//   1. `CHROMIUM`, when set (it must launch, or we say so);
//   2. else the system's Chromium, when it is on PATH and launches;
//   3. else the Chromium that `npm install` brought: @sparticuz/chromium ships a build inside its
//      tarball, brotli-compressed; it is unpacked once into node_modules/.cache and reused.
// Where none of these can be had, the caller gets one line that says what to install.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { chromium, type Browser, type LaunchOptions } from 'playwright-core';
import { REPO_ROOT } from './repo-root.ts';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type ChromiumSource = 'CHROMIUM' | 'system' | 'npm';

export interface ChromiumChoice {
  path: string;
  source: ChromiumSource;
  /** What the binary says of itself: "Chromium 147.0.7727.0". */
  version: string;
}

/** No browser could be had: the message is one line that says what to do. */
export class ChromiumUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChromiumUnavailable';
    // One line in the test output, not a stack trace into this file.
    this.stack = `${this.name}: ${message}`;
  }
}

const INSTALL_HINT =
  'set CHROMIUM=/path/to/chromium, or install Chromium (Debian: apt-get install chromium), or run npm install again to restore @sparticuz/chromium';

/** The version line, or why it does not launch: running `--version` is the cheapest real launch. */
function probe(path: string): { version: string } | { problem: string } {
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  if (run.error) return { problem: run.error.message };
  if (run.status !== 0) return { problem: `exit ${run.status}: ${(run.stderr || run.stdout).trim().split('\n')[0]}` };
  return { version: run.stdout.trim() };
}

function systemCandidates(pathList = ''): string[] {
  const dirs = pathList.split(delimiter).filter(Boolean);
  const names = ['chromium', 'chromium-browser'];
  return dirs.flatMap((dir) => names.map((name) => join(dir, name))).filter((path) => existsSync(path));
}

/** The npm package's version names the folder, so that an upgrade unpacks anew. */
function npmChromiumVersion(): string | undefined {
  // Its exports map hides package.json, so find the package's folder from its entry point.
  let dir: string;
  try {
    dir = dirname(createRequire(join(REPO_ROOT, 'package.json')).resolve('@sparticuz/chromium'));
  } catch {
    return undefined;
  }
  for (; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version: string };
    if (name === '@sparticuz/chromium') return version;
  }
  return undefined;
}

/**
 * Unpacks @sparticuz/chromium into node_modules/.cache/chromium-<version>. The package always unpacks
 * into os.tmpdir(), so a child process does it with TMPDIR pointed at a staging folder of its own, and
 * one rename publishes the result: two test processes that unpack at once never see a half-written
 * binary, and the loser of the race throws its copy away.
 */
async function unpackNpmChromium(version: string): Promise<string> {
  const cache = join(REPO_ROOT, 'node_modules', '.cache', 'concurrency-lab');
  const target = join(cache, `chromium-${version}`);
  const binary = join(target, 'chromium');
  if (existsSync(binary)) return binary;
  const staging = join(cache, `staging-${process.pid}-${Date.now()}`);
  await mkdir(staging, { recursive: true });
  try {
    const unpack = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "await (await import('@sparticuz/chromium')).default.executablePath()"],
      { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: staging }, encoding: 'utf8', timeout: 120_000 },
    );
    if (unpack.status !== 0)
      throw new Error((unpack.stderr || unpack.error?.message || 'failed').trim().split('\n')[0]);
    try {
      await rename(staging, target);
    } catch (error) {
      // Another process published first: use theirs.
      if (!existsSync(binary)) throw error;
    }
    return binary;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The choice made anew from `env` (CHROMIUM, PATH): exported for its test; use chooseChromium. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<ChromiumChoice> {
  const chosen = env.CHROMIUM;
  if (chosen) {
    const result = probe(chosen);
    if ('problem' in result)
      throw new ChromiumUnavailable(`CHROMIUM=${chosen} does not launch (${result.problem}): ${INSTALL_HINT}`);
    return { path: chosen, source: 'CHROMIUM', version: result.version };
  }
  for (const path of systemCandidates(env.PATH)) {
    const result = probe(path);
    if ('version' in result) return { path, source: 'system', version: result.version };
  }
  const version = npmChromiumVersion();
  if (!version)
    throw new ChromiumUnavailable(`no Chromium found and @sparticuz/chromium is not installed: ${INSTALL_HINT}`);
  let path: string;
  try {
    path = await unpackNpmChromium(version);
  } catch (error) {
    throw new ChromiumUnavailable(
      `@sparticuz/chromium ${version} could not be unpacked (${(error as Error).message}): ${INSTALL_HINT}`,
    );
  }
  const result = probe(path);
  if ('problem' in result) {
    throw new ChromiumUnavailable(
      `@sparticuz/chromium ${version} does not run on this machine (${result.problem}): ${INSTALL_HINT}`,
    );
  }
  return { path, source: 'npm', version: result.version };
}

/**
 * The test run's global setup decides once and hands the choice (or why there is none) to the test
 * processes it starts through this variable, so that they neither probe nor unpack again.
 */
const DECIDED = 'LAB_CHROMIUM_DECIDED';

type Decision = { choice: ChromiumChoice } | { unavailable: string };

function decided(): Promise<ChromiumChoice> | undefined {
  const text = process.env[DECIDED];
  if (!text) return undefined;
  const decision = JSON.parse(text) as Decision;
  return 'choice' in decision
    ? Promise.resolve(decision.choice)
    : Promise.reject(new ChromiumUnavailable(decision.unavailable));
}

let choice: Promise<ChromiumChoice> | undefined;

/** The browser to use, decided once per process (or per test run). Throws ChromiumUnavailable with one line. */
export function chooseChromium(): Promise<ChromiumChoice> {
  choice ??= decided() ?? findChromium();
  return choice;
}

/** Decides, and passes the decision on to the processes this one starts from now on. Never throws. */
export async function decideChromiumForChildren(): Promise<string> {
  try {
    const chosen = await chooseChromium();
    process.env[DECIDED] = JSON.stringify({ choice: chosen } satisfies Decision);
    return `browser for the browser suites: ${describeChromium(chosen)}`;
  } catch (error) {
    const message = error instanceof ChromiumUnavailable ? error.message : String(error);
    process.env[DECIDED] = JSON.stringify({ unavailable: message } satisfies Decision);
    return `no browser for the browser suites: ${message}`;
  }
}

export function describeChromium({ path, source, version }: ChromiumChoice): string {
  const why = { CHROMIUM: 'from CHROMIUM', system: "the system's", npm: "npm's @sparticuz/chromium" }[source];
  return `${version} at ${path} (${why})`;
}

/** Launches the chosen Chromium headless, quiet on the network, with the options given on top. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const { path } = await chooseChromium();
  return chromium.launch({ executablePath: path, headless: true, args: CHROMIUM_ARGS, ...options });
}
