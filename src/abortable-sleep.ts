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
    if (!signal) return void setTimeout(resolve, ms);
    new CancellableWait(ms, signal, resolve, reject);
  });
}

/**
 * One wait that its signal can call off. A class rather than a listener closure made per wait: tsx
 * (esbuild's keepNames) wraps every named closure in a call that sets its name, on every request.
 */
class CancellableWait {
  readonly #signal: CancelSignal;
  readonly #resolve: () => void;
  readonly #reject: (error: Error) => void;
  readonly #timer: ReturnType<typeof setTimeout>;
  /** The listener the signal holds while the wait lasts. */
  readonly #onAbort = this.#callOff.bind(this);

  constructor(ms: number, signal: CancelSignal, resolve: () => void, reject: (error: Error) => void) {
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    this.#timer = setTimeout(() => this.#end(), ms);
    signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  #end(): void {
    this.#signal.removeEventListener('abort', this.#onAbort);
    this.#resolve();
  }

  #callOff(): void {
    clearTimeout(this.#timer);
    this.#reject(new WorkCancelledError());
  }
}
