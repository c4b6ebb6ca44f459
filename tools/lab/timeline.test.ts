import { describe, expect, it } from 'vitest';
import type { CombinationRun } from './results.ts';
import { barColumns, layoutTimeline, niceTicks } from './timeline.ts';

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 times a power of ten from 0 to the span', () => {
    expect(niceTicks(1000)).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(niceTicks(10_300)).toEqual([0, 5000, 10_000]);
    expect(niceTicks(330)).toEqual([0, 100, 200, 300]);
  });
  it('has one tick for an empty span', () => {
    expect(niceTicks(0)).toEqual([0]);
  });
});

describe('barColumns', () => {
  it('scales ms to columns', () => {
    expect(barColumns(0, 500, 1000, 60)).toEqual([0, 30]);
    expect(barColumns(500, 1000, 1000, 60)).toEqual([30, 60]);
  });
  it('keeps a short bar one column wide and inside the axis', () => {
    expect(barColumns(999, 999.5, 1000, 60)).toEqual([59, 60]);
    expect(barColumns(-5, 2000, 1000, 60)).toEqual([0, 60]);
  });
});

describe('layoutTimeline', () => {
  const firedAt = 5_000;
  const run = {
    firedAt,
    requests: [
      {
        index: 0,
        sentAt: firedAt,
        receivedAt: firedAt + 220,
        status: 200,
        startTime: firedAt + 110,
        endTime: firedAt + 210,
        workerId: 7,
        threadId: 2,
      },
      { index: 1, sentAt: firedAt, receivedAt: firedAt + 30, status: 503, error: 'the pool is full' },
      {
        index: 2,
        sentAt: firedAt,
        receivedAt: firedAt + 105,
        status: 200,
        startTime: firedAt + 2,
        endTime: firedAt + 102,
        workerId: 8,
        threadId: 0,
      },
    ],
  } as CombinationRun;

  it('orders rows by when their work started, failed ones last, times relative to firing', () => {
    const timeline = layoutTimeline(run);
    expect(timeline.rows.map((r) => r.index)).toEqual([2, 0, 1]);
    expect(timeline.rows[0]).toMatchObject({ startMs: 2, endMs: 102, answeredMs: 105, worker: '8' });
    expect(timeline.rows[1]).toMatchObject({ worker: '7/t2', threadId: 2 });
    expect(timeline.rows[2]).toMatchObject({ error: 'the pool is full' });
    expect(timeline.rows[2]!.startMs).toBeUndefined();
  });

  it('spans to the last answer and lists workers in order of first work', () => {
    const timeline = layoutTimeline(run);
    expect(timeline.spanMs).toBe(220);
    expect(timeline.workers).toEqual([8, 7]);
    expect(timeline.ticks).toEqual([0, 50, 100, 150, 200]);
  });
});
