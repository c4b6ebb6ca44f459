// A request body still arriving when a graceful shutdown begins: its request is refused with 503
// `shutting_down` (send it again) at once, rather than the shutdown waiting on the client to finish
// sending, for as long as it likes, up to --shutdown-timeout (docs/reliability.md). Deno's server
// does this itself; here it holds on every runtime alike.
import { ShuttingDownError } from './errors.ts';

/** Resolves as `read` does, unless `drain` aborts first: then rejects with ShuttingDownError. */
export function beforeDrain<T>(read: Promise<T>, drain: AbortSignal | undefined): Promise<T> {
  if (!drain) return read;
  return new Promise<T>((resolve, reject) => {
    const refuse = (): void => reject(new ShuttingDownError());
    if (drain.aborted) refuse();
    else drain.addEventListener('abort', refuse, { once: true });
    // The read may still fail once refused (the connection closes): nobody waits on it any more.
    read.then(resolve, reject).finally(() => drain.removeEventListener('abort', refuse));
  });
}
