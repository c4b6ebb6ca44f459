import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChromiumUnavailable, findChromium } from './chromium.ts';

let dir: string;
/** A stand-in browser: a script that answers --version as Chromium does, or fails as a masked one. */
async function fakeBrowser(folder: string, script: string): Promise<string> {
  const path = join(dir, folder, 'chromium');
  await mkdir(join(dir, folder), { recursive: true });
  await writeFile(path, `#!/bin/sh\n${script}\n`);
  await chmod(path, 0o755);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chromium-choice-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('which Chromium the browser suites use', () => {
  it('takes CHROMIUM first, over a system Chromium on PATH', async () => {
    const chosen = await fakeBrowser('chosen', 'echo "Chromium 1.2.3"');
    await fakeBrowser('system', 'echo "Chromium 9.9.9"');
    const choice = await findChromium({ CHROMIUM: chosen, PATH: join(dir, 'system') });
    expect(choice).toEqual({ path: chosen, source: 'CHROMIUM', version: 'Chromium 1.2.3' });
  });

  it('takes the system Chromium on PATH when it launches', async () => {
    const system = await fakeBrowser('system', 'echo "Chromium 9.9.9"');
    expect(await findChromium({ PATH: join(dir, 'system') })).toEqual({
      path: system,
      source: 'system',
      version: 'Chromium 9.9.9',
    });
  });

  it("passes over a system Chromium that does not launch and takes npm's", async () => {
    await fakeBrowser('broken', 'echo "cannot open display" >&2; exit 1');
    const choice = await findChromium({ PATH: join(dir, 'broken') });
    expect(choice.source).toBe('npm');
    expect(choice.version).toMatch(/^Chromium \d+\./);
  }, 120_000);

  it('says in one line what to do when CHROMIUM does not launch', async () => {
    const failure = findChromium({ CHROMIUM: join(dir, 'nowhere', 'chromium'), PATH: '' });
    await expect(failure).rejects.toBeInstanceOf(ChromiumUnavailable);
    const error = (await failure.catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('apt-get install chromium');
    expect(error.stack).not.toContain('\n');
  });
});
