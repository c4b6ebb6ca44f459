// The Deno pool under faults, run under Deno itself (vitest runs on Node, which has no Web Workers of
// Deno's kind): a task that throws, or whose thread ends without a word, fails alone, and the pool
// goes on serving on a fresh thread.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const deno = fileURLToPath(new URL('../../node_modules/deno/deno', import.meta.url));
const script = fileURLToPath(new URL('./fixtures/deno-thread-pool-faults.ts', import.meta.url));

describe('DenoThreadPool (Deno) under faults', () => {
  it("fails only the faulty task, serves the next one on a new thread, lets a task run longer than the grace, and times a task from its thread's start", () => {
    const run = spawnSync(deno, ['run', '--no-prompt', '--allow-read', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    type Outcome = { ok?: { threadId: number }; error?: string };
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
      before: Outcome;
      thrown: Outcome;
      afterThrow: Outcome;
      closed: Outcome;
      afterClose: Outcome;
      longerThanGrace: Outcome;
      stats: { completed: number; busy: number; threads: number };
      slowStart: Outcome;
      neverStarted: Outcome;
    };
    expect(result.before.ok?.threadId).toBe(1);
    expect(result.thrown.error).toMatch(/pool thread 1 failed/);
    expect(result.afterThrow.ok?.threadId).toBe(2);
    // A thread that ends itself sends no event: the watchdog gives it up after its grace.
    expect(result.closed.error).toMatch(/gave no answer/);
    expect(result.afterClose.ok?.threadId).toBe(3);
    // A task of 400 ms under a 200 ms grace: its watchdog fires at ms + grace, so it completes.
    expect(result.longerThanGrace.ok?.threadId).toBe(3);
    expect(result.stats).toMatchObject({ completed: 4, busy: 0 });
    // A thread slow to load (600 ms, past 1 ms + the 200 ms grace) does not fail its task: the task is
    // timed from the thread's start; one that has not started by its start deadline (300 ms) fails.
    expect(result.slowStart.ok?.threadId).toBe(1);
    expect(result.neverStarted.error).toMatch(/did not start within 300 ms/);
  });
});
