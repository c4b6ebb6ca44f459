// The request timeout (--request-timeout) where the app reads a body: a request whose body has not
// arrived whole in time is answered 408 and its connection closed (docs/reliability.md), on every
// runtime alike. Node's server has such a deadline of its own; Bun.serve and Deno.serve have none.
import { RequestTimeoutError } from './errors.ts';

/**
 * `reading`, or a RequestTimeoutError once `timeoutMs` have passed. One timer, made only here: a
 * request with no body to read never comes this way. The body's own promise is left to settle
 * (its rejection when the connection closes is expected, and handled here); the caller answers 408
 * with `Connection: close` and cancels the stream if it holds its reader.
 */
export function withinRequestTimeout<T>(reading: Promise<T>, timeoutMs: number): Promise<T> {
  let timer!: ReturnType<typeof setTimeout>; // set at once: a promise's executor runs synchronously
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(timeoutMs)), timeoutMs);
  });
  reading.catch(() => {});
  return Promise.race([reading, expired]).finally(() => clearTimeout(timer));
}
