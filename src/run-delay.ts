// Runs the work of one `POST /delay` in the way its mode asks: the seed's three single-process lessons.
import type { DelayParams } from './delay-params.ts';
import type { Runtime, WorkTiming } from './runtime.ts';

/** The runtime cannot run this mode (a pool on Workers): the app answers 501 `mode_unsupported`. */
export class ModeUnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModeUnsupportedError';
  }
}

export function supportedModes(runtime: Runtime): string[] {
  return runtime.pool ? ['blocking', 'async', 'pool'] : ['blocking', 'async'];
}

/**
 * blocking: runs on the event loop's thread and holds it (seed main_simple.py, time.sleep in async def).
 * async:    a timer; the loop serves others meanwhile (seed main_sync.py, await asyncio.sleep).
 * pool:     the same blocking work on a pool thread (seed main_threadpool.py, run_in_threadpool).
 * `onStart` is called when the work starts on the loop's thread; a pool thread reports its own times.
 */
export async function runDelay(
  runtime: Runtime,
  { mode, ms, work }: DelayParams,
  signal?: AbortSignal,
  onStart: (startedAt: number) => void = () => {},
): Promise<WorkTiming> {
  switch (mode) {
    case 'blocking': {
      const startedAt = runtime.now();
      onStart(startedAt);
      runtime.block(ms, work);
      return { startedAt, endedAt: runtime.now(), threadId: 0 };
    }
    case 'async': {
      const startedAt = runtime.now();
      onStart(startedAt);
      await runtime.sleep(ms, signal);
      return { startedAt, endedAt: runtime.now(), threadId: 0 };
    }
    case 'pool': {
      if (!runtime.pool) {
        throw new ModeUnsupportedError(`${runtime.name} has no worker pool; the modes it supports are ${supportedModes(runtime).join(' and ')}`);
      }
      return runtime.pool.run(ms, work, signal);
    }
  }
}

/** "Response after 3 seconds delay", stating the delay that really ran. */
export function delayMessage(ms: number): string {
  const seconds = ms / 1000;
  return `Response after ${seconds} ${seconds === 1 ? 'second' : 'seconds'} delay`;
}
