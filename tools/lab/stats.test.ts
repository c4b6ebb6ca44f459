import { describe, expect, it } from 'vitest';
import type { CombinationRun } from './results.ts';
import { maxConcurrent, percentile, summarise, workerLabel } from './stats.ts';

describe('percentile (nearest rank)', () => {
  it('picks the value at rank ⌈p/100 × n⌉', () => {
    const values = [5, 1, 4, 2, 3];
    expect(percentile(values, 50)).toBe(3);
    expect(percentile(values, 99)).toBe(5);
    expect(percentile(values, 0)).toBe(1);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
    ).toBe(99);
  });
  it('is NaN for no values', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarise', () => {
  const firedAt = 1_000_000;
  const run: CombinationRun = {
    runtime: 'node',
    mode: 'blocking',
    work: 'sleep',
    workers: 2,
    n: 3,
    ms: 100,
    server: { runtime: 'node', version: '20', processes: 2, poolThreads: 40, modes: ['blocking', 'async', 'pool'] },
    firedAt,
    requests: [
      {
        index: 0,
        sentAt: firedAt,
        receivedAt: firedAt + 110,
        status: 200,
        startTime: firedAt + 5,
        endTime: firedAt + 105,
        workerId: 11,
        threadId: 0,
      },
      {
        index: 1,
        sentAt: firedAt,
        receivedAt: firedAt + 112,
        status: 200,
        startTime: firedAt + 6,
        endTime: firedAt + 106,
        workerId: 12,
        threadId: 0,
      },
      {
        index: 2,
        sentAt: firedAt + 1,
        receivedAt: firedAt + 221,
        status: 200,
        startTime: firedAt + 110,
        endTime: firedAt + 210,
        workerId: 11,
        threadId: 0,
      },
    ],
    health: [
      { sentAt: firedAt, latencyMs: 3, ok: true },
      { sentAt: firedAt + 20, latencyMs: 90, ok: true },
    ],
  };

  it('measures the makespan from firing to the last answer, against ⌈n/processes⌉×ms', () => {
    const summary = summarise(run, 2);
    expect(summary.makespanMs).toBe(221);
    expect(summary.idealMs).toBe(200);
    expect(summary.efficiency).toBeCloseTo(200 / 221);
  });

  it('reports latency percentiles, the worst /health and requests per worker', () => {
    const summary = summarise(run, 2);
    expect(summary).toMatchObject({
      p50Ms: 112,
      p99Ms: 220,
      worstHealthMs: 90,
      perWorker: { '11': 2, '12': 1 },
      ok: 3,
      failed: 0,
    });
  });

  it('counts failed requests and leaves them out of the per-worker counts', () => {
    const failed: CombinationRun = {
      ...run,
      requests: [...run.requests, { index: 3, sentAt: firedAt, receivedAt: firedAt + 2, status: 503, error: 'full' }],
    };
    expect(summarise(failed, 2)).toMatchObject({ ok: 3, failed: 1, perWorker: { '11': 2, '12': 1 } });
  });
});

describe('workerLabel', () => {
  it('names the pool thread when there is one', () => {
    expect(workerLabel(42, 0)).toBe('42');
    expect(workerLabel(42, 3)).toBe('42/t3');
    expect(workerLabel(undefined, undefined)).toBe('?');
  });
});

describe('maxConcurrent', () => {
  it('counts the most intervals open at one instant; touching ends do not overlap', () => {
    expect(maxConcurrent([])).toBe(0);
    expect(
      maxConcurrent([
        { start: 0, end: 10 },
        { start: 10, end: 20 },
      ]),
    ).toBe(1);
    expect(
      maxConcurrent([
        { start: 0, end: 10 },
        { start: 5, end: 20 },
        { start: 6, end: 7 },
        { start: 15, end: 30 },
      ]),
    ).toBe(3);
  });
  it('counts the most intervals open at one instant', () => {
    expect(maxConcurrent([])).toBe(0);
    expect(
      maxConcurrent([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
        { start: 6, end: 7 },
        { start: 20, end: 30 },
      ]),
    ).toBe(3);
  });
  it('does not count intervals that only touch', () => {
    expect(
      maxConcurrent([
        { start: 0, end: 10 },
        { start: 10, end: 20 },
      ]),
    ).toBe(1);
  });
});
