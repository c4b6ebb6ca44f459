// The request timeout (--request-timeout) where the app reads a body: a request whose body has not
// arrived whole in time is answered 408 and its connection closed (docs/reliability.md), on every
// runtime alike. Node's server has such a deadline of its own; Bun.serve and Deno.serve have none.
import { RequestTimeoutError } from './errors.ts';

/**
 * Microtask turns a read may take before it is deemed to wait on the network. A body that is already
 * here (none at all, or all of it in the first packet: Deno hands an empty stream to a POST without
 * Content-Length, as HTTP/2 may have a body without one) is read within a few; one still arriving
 * needs I/O, which no number of microtasks brings. The count only decides whether a timer is made:
 * the deadline holds either way.
 */
const TURNS_BEFORE_TIMER = 32;

/**
 * Whether `reading` settles within a few microtask turns: a body already here, which no timer, no
 * drain listener and no race need guard. The body's rejection, if it comes, is left for the caller to
 * hear from `reading` itself.
 */
export async function settlesAtOnce(reading: Promise<unknown>): Promise<boolean> {
  let settled = false;
  reading.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let turn = 0; turn < TURNS_BEFORE_TIMER && !settled; turn++) await undefined;
  return settled;
}

/**
 * `reading`, or a RequestTimeoutError once `timeoutMs` have passed. A timer is made only for a read
 * that does not end at once. The body's own promise is left to settle (its rejection when the
 * connection closes is expected, and handled here); the caller answers 408 with `Connection: close`
 * and cancels the stream if it holds its reader.
 */
export async function withinRequestTimeout<T>(reading: Promise<T>, timeoutMs: number): Promise<T> {
  return (await settlesAtOnce(reading)) ? reading : racingRequestTimeout(reading, timeoutMs);
}

/** `reading`, or a RequestTimeoutError once `timeoutMs` have passed, with a timer from now on. */
export async function racingRequestTimeout<T>(reading: Promise<T>, timeoutMs: number): Promise<T> {
  let timer!: ReturnType<typeof setTimeout>; // set at once: a promise's executor runs synchronously
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([reading, expired]);
  } finally {
    clearTimeout(timer);
  }
}
