// A timer that can be called off: the async wait of `mode=async`, cancelled when its client goes away.
import { WorkCancelledError } from './errors.ts';
import type { CancelSignal } from './runtime.ts';

/** Node, Bun and Deno have it; Workers do not. */
const setImmediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;

/** Resolves after `ms`; rejects with WorkCancelledError, and clears its timer, when `signal` aborts. */
export function abortableSleep(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new WorkCancelledError());
    // 0 ms is one turn of the loop, as asyncio.sleep(0): no timer (at least 1 ms on Node), no abort listener.
    if (ms === 0 && setImmediate) return void setImmediate(resolve);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new WorkCancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
