// Runs the work of one `POST /delay` in the way its mode asks: the FastAPI guide's three single-process lessons.
import { supportedModes, type DelayParams } from './delay-params.ts';
import { ModeUnsupportedError } from './errors.ts';
import type { CancelSignal, Runtime, WorkTiming } from './runtime.ts';

/**
 * blocking: runs on the event loop's thread and holds it (the guide's main_simple.py, time.sleep in async def).
 * async:    a timer; the loop serves others meanwhile (the guide's main_sync.py, await asyncio.sleep).
 * pool:     the same blocking work on a pool thread (the guide's main_threadpool.py, run_in_threadpool).
 * `onStart` is called with the time the work started: at once on the loop's thread; for the pool, when
 * its thread reports back, since the loop cannot see a thread start.
 */
export async function runDelay(
  runtime: Runtime,
  { mode, ms, work }: DelayParams,
  signal?: CancelSignal,
  onStart: (startedAt: number, threadId: number) => void = () => {},
): Promise<WorkTiming> {
  switch (mode) {
    case 'blocking': {
      const preparing = runtime.beforeBlock?.();
      if (preparing) await preparing;
      const startedAt = runtime.now();
      onStart(startedAt, 0);
      const cpuMs = runtime.block(ms, work);
      return { startedAt, endedAt: runtime.now(), threadId: 0, ...(cpuMs === undefined ? {} : { cpuMs }) };
    }
    case 'async': {
      const startedAt = runtime.now();
      onStart(startedAt, 0);
      await runtime.sleep(ms, signal);
      return { startedAt, endedAt: runtime.now(), threadId: 0 };
    }
    case 'pool': {
      if (!runtime.pool) {
        throw new ModeUnsupportedError(
          `${runtime.name} has no thread pool; the modes it supports are ${supportedModes(false).join(' and ')}`,
        );
      }
      const timing = await runtime.pool.run(ms, work, signal);
      onStart(timing.startedAt, timing.threadId);
      return timing;
    }
  }
}

/**
 * Whether the work of `params` hears its client leave: a timer to call off, or a pool task (queued
 * or running). Blocking work holds the loop, and a wait of 0 ms is one turn of it: neither looks at a
 * signal, so the app asks the runtime for none (on Deno a request's signal is made on first read,
 * with a hook into the server's cancel; docs/performance.md).
 */
export function hearsClientLeave({ mode, ms }: DelayParams): boolean {
  return mode === 'pool' || (mode === 'async' && ms > 0);
}

/** "Response after 3 seconds delay", stating the delay that really ran. */
export function delayMessage(ms: number): string {
  const seconds = ms / 1000;
  return `Response after ${seconds} ${seconds === 1 ? 'second' : 'seconds'} delay`;
}
