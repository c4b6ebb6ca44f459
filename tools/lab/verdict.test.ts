import { describe, expect, it } from 'vitest';
import type { Mode } from '../../src/runtime.ts';
import type { CombinationRun, RequestRecord } from './results.ts';
import { summarise } from './stats.ts';
import { verdict } from './verdict.ts';

const T = 1_000_000;

/** A run whose requests did their work over [start, end) (ms after T) in the given process and thread. */
function runOf(
  mode: Mode,
  work: [start: number, end: number, worker?: number, thread?: number][],
  healthMs: number[] = [],
  extra: RequestRecord[] = [],
): CombinationRun {
  const requests: RequestRecord[] = work.map(([start, end, worker = 1, thread = 0], index) => ({
    index,
    sentAt: T,
    receivedAt: T + end + 1,
    status: 200,
    startTime: T + start,
    endTime: T + end,
    workerId: worker,
    threadId: thread,
  }));
  return {
    runtime: 'node',
    mode,
    work: 'sleep',
    workers: 1,
    n: requests.length + extra.length,
    ms: 100,
    server: { runtime: 'node', version: 'x', processes: 1, poolThreads: 40, modes: ['blocking', 'async', 'pool'] },
    firedAt: T,
    requests: [...requests, ...extra.map((r, i) => ({ ...r, index: requests.length + i }))],
    health: healthMs.map((latencyMs, i) => ({ sentAt: T + i * 20, latencyMs, ok: true })),
  };
}

const say = (run: CombinationRun, client?: { held: number; connections: number }) =>
  verdict(run, summarise(run, 8), client);

describe('verdict', () => {
  it('one process, no overlap, in blocking mode: the event loop was blocked, and /health waited', () => {
    expect(
      say(
        runOf(
          'blocking',
          [
            [0, 100],
            [100, 200],
            [200, 300],
          ],
          [2, 180, 3],
        ),
      ),
    ).toBe('Each request waited for the one before it: the event loop was blocked, and /health waited up to 180 ms.');
  });

  it('async, all overlapping: the loop stayed free, and says how fast /health answered', () => {
    expect(
      say(
        runOf(
          'async',
          [
            [0, 100],
            [1, 101],
            [2, 102],
          ],
          [2, 3],
        ),
      ),
    ).toBe('All 3 requests waited side by side: the event loop stayed free, and /health answered within 3 ms.');
    expect(
      say(
        runOf(
          'async',
          [
            [0, 100],
            [1, 101],
          ],
          [2, 70],
        ),
      ),
    ).toBe('All 2 requests waited side by side: the event loop stayed free, yet /health once waited 70 ms.');
  });

  it('pool: counts the threads; blocking over processes: counts the processes', () => {
    expect(
      say(
        runOf('pool', [
          [0, 100, 1, 1],
          [1, 101, 1, 2],
        ]),
      ),
    ).toBe('All 2 requests ran side by side on 2 pool threads, while the event loop stayed free.');
    expect(
      say(
        runOf('blocking', [
          [0, 100, 1],
          [1, 101, 2],
        ]),
      ),
    ).toBe('All 2 requests ran side by side, one in each of 2 processes.');
    expect(
      say(
        runOf('blocking', [
          [0, 100, 1],
          [1, 101, 2],
          [100, 200, 1],
          [101, 201, 2],
        ]),
      ),
    ).toBe(
      'At most 2 of 4 requests ran at once: one a process, and each of the 2 processes ran its requests one after another.',
    );
  });

  it('CPU work on more threads than cores: says the requests shared the cores and how much longer each took', () => {
    // Six pool threads on two cores, each request 100 ms of CPU: every one stretched to about 300 ms.
    const run = {
      ...runOf(
        'pool',
        Array.from({ length: 6 }, (_, i): [number, number, number, number] => [i, 300 + i, 1, i + 1]),
      ),
      work: 'cpu' as const,
    };
    expect(verdict(run, summarise(run, 2))).toBe(
      'All 6 requests ran side by side on 6 pool threads, while the event loop stayed free; but CPU work runs on at most 2 cores at once, so each request took about 3.0× its 100 ms: threads and processes help CPU-bound work only up to the number of cores.',
    );
    // Stretched far beyond what sharing 2 cores explains: the rest is said to be other work.
    const crowded = {
      ...runOf(
        'pool',
        Array.from({ length: 6 }, (_, i): [number, number, number, number] => [i, 700 + i, 1, i + 1]),
      ),
      work: 'cpu' as const,
    };
    expect(verdict(crowded, summarise(crowded, 2))).toContain(
      'each request took about 7.0× its 100 ms (6 sharing 2 would take about 3.0×; the rest went to other work on this machine)',
    );
    // No more threads than cores: nothing to explain.
    const fits = {
      ...runOf('pool', [
        [0, 100, 1, 1],
        [0, 100, 1, 2],
      ]),
      work: 'cpu' as const,
    };
    expect(verdict(fits, summarise(fits, 2))).not.toMatch(/cores/);
  });

  it('names the requests a browser held back for want of a connection', () => {
    expect(
      say(
        runOf(
          'async',
          [
            [0, 100],
            [1, 101],
            [100, 200],
          ],
          [2],
        ),
        { held: 1, connections: 6 },
      ),
    ).toBe(
      'At most 2 of 3 requests ran at once, and /health answered within 2 ms; 1 request first waited in your browser for a free connection (it opens at most 6 to one server over HTTP/1.1).',
    );
  });

  it('reports failures, a single request, and a run with no answer at all', () => {
    const failed: RequestRecord = {
      index: 0,
      sentAt: T,
      receivedAt: T + 5,
      status: 501,
      error: 'workerd has no worker pool',
    };
    expect(
      say(
        runOf(
          'blocking',
          [
            [0, 100],
            [100, 200],
          ],
          [],
          [failed],
        ),
      ),
    ).toBe(
      'Each request waited for the one before it: the event loop was blocked; 1 failed: workerd has no worker pool.',
    );
    expect(say(runOf('pool', [], [], [failed]))).toBe('No request was answered: workerd has no worker pool.');
    expect(say(runOf('async', [[0, 100]]))).toBe(
      'One request ran for 100 ms; send more than one to see whether they wait for each other.',
    );
  });
});
