// The safety net of ./orphan-reaper.js: a test process killed before it could stop its servers
// leaves none running.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { processStartTime } from './process-start-time.js';
import { REPO_ROOT } from './repo-root.ts';
import { isAlive } from './server-process.ts';

/** Resolves once `condition` holds, checking every 20 ms; rejects after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// A test process in miniature: starts a server (one that never exits by itself, with a child of
// its own, as a supervisor has) through the harness, prints the pids, and waits to be killed.
const testProcess = `
  import { spawn } from 'node:child_process';
  import { ServerProcess } from './tools/harness/server-process.ts';
  const server = new ServerProcess({
    command: process.execPath,
    args: ['-e', "const c = require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000)"],
    isReady: () => true,
  });
  server.child.stdout.once('data', (line) => console.log(server.pid, String(line).trim()));
  setInterval(() => {}, 1000);
`;

describe('orphan reaper', () => {
  it('kills every process of a server whose test process was killed before stopping it', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', testProcess], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let pids: number[] = [];
    try {
      const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
      pids = line.split(' ').map(Number);
      expect(pids).toHaveLength(2);
      for (const pid of pids) expect(isAlive(pid)).toBe(true);
      parent.kill('SIGKILL');
      await until(() => pids.every((pid) => !isAlive(pid)), 10_000);
    } finally {
      parent.kill('SIGKILL');
      for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL'); // if the reaper failed
    }
  }, 20_000);
});

describe('processStartTime', () => {
  it("names this process's start, and nothing for a pid that does not exist", () => {
    expect(processStartTime(process.pid)).toMatch(/^\d+$/);
    expect(processStartTime(process.pid)).toBe(processStartTime(process.pid));
    expect(processStartTime(-1)).toBeUndefined();
  });
});
