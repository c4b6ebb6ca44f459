// The Deno pool's task slot, on one thread: what the pool posts is what its thread runs, in order,
// and stop() ends the thread's loop. (Runs on Node: it is plain SharedArrayBuffer and Atomics.)
import { describe, expect, it } from 'vitest';
import { TaskSlot, type PoolTaskMessage } from './task-slot.ts';

describe('TaskSlot', () => {
  it('hands each task over whole, one after another, until it is stopped', () => {
    const pool = new TaskSlot();
    const tasks: PoolTaskMessage[] = [
      { ms: 1500, work: 'sleep', steps: 0 },
      { ms: 0.5, work: 'cpu', steps: 123_456_789 },
      { ms: 7, work: 'close', steps: 0 },
    ];
    const ran: PoolTaskMessage[] = [];
    pool.post(tasks[0]!); // posted before the thread waits: it finds it when it starts
    new TaskSlot(pool.buffer).serve((task) => {
      ran.push(task);
      // The pool posts the next task once it has the answer, as DenoThreadPool does.
      const next = tasks[ran.length];
      if (next) pool.post(next);
      else pool.stop();
    });
    expect(ran).toEqual(tasks);
  });

  it('refuses a work name longer than the slot holds', () => {
    expect(() => new TaskSlot().post({ ms: 1, work: 'a-very-long-work', steps: 0 })).toThrow(RangeError);
  });
});
