// A timer that can be called off: the async wait of `mode=async`, cancelled when its client goes away.
import { WorkCancelledError } from './errors.ts';

/** Resolves after `ms`; rejects with WorkCancelledError, and clears its timer, when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new WorkCancelledError());
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
