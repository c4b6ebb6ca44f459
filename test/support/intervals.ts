// Judging concurrency from the intervals the server reports, not from how long anything took.
import { parseTimestamp } from '../../src/timestamp.ts';

export interface Interval {
  start: number;
  end: number;
  workerId: number | string;
  threadId: number;
}

export interface DelayBody {
  start_time: string;
  end_time: string;
  worker_id: number | string;
  thread_id: number;
}

export function toInterval(body: unknown): Interval {
  const b = body as DelayBody;
  return {
    start: parseTimestamp(b.start_time),
    end: parseTimestamp(b.end_time),
    workerId: b.worker_id,
    threadId: b.thread_id,
  };
}

export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Every pair of intervals that overlap in time. */
export function overlappingPairs(intervals: readonly Interval[]): [Interval, Interval][] {
  const pairs: [Interval, Interval][] = [];
  for (let i = 0; i < intervals.length; i++) {
    for (let j = i + 1; j < intervals.length; j++) {
      if (overlaps(intervals[i]!, intervals[j]!)) pairs.push([intervals[i]!, intervals[j]!]);
    }
  }
  return pairs;
}
