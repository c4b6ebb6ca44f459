// The client-gone signal of one Node request, from its ServerResponse: 'close' before the response
// has finished means the client went away. The web Request's signal costs an AbortController (and
// @hono/node-server's abort on close) per request that asks for it; this costs one small object, and
// EventEmitter listeners only while some work waits on it.
//
// The connection's own 'close' is heard too: a response queued behind another on a pipelined
// connection is not attached to the socket yet, and node:http never emits 'close' for it when the
// connection goes, so its client's leaving would go unnoticed and its queued pool task would run.
import type { ServerResponse } from 'node:http';
import type { CancelSignal } from '../../src/runtime.ts';

export class ResponseCloseSignal implements CancelSignal {
  readonly #outgoing: ServerResponse;
  readonly #wrapped = new Map<() => void, () => void>();

  constructor(outgoing: ServerResponse) {
    this.#outgoing = outgoing;
  }

  get aborted(): boolean {
    return (this.#outgoing.destroyed || this.#outgoing.req.socket.destroyed) && !this.#outgoing.writableFinished;
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.#wrapped.has(listener)) return;
    const onClose = (): void => {
      // Once only: the socket's 'close' emits the response's, and an emitter calls every listener it
      // had when the event began, one removed meanwhile included.
      if (this.#wrapped.get(listener) !== onClose) return;
      this.removeEventListener('abort', listener);
      if (!this.#outgoing.writableFinished) listener();
    };
    this.#wrapped.set(listener, onClose);
    this.#outgoing.once('close', onClose);
    this.#outgoing.req.socket.once('close', onClose);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const onClose = this.#wrapped.get(listener);
    if (!onClose) return;
    this.#wrapped.delete(listener);
    this.#outgoing.off('close', onClose);
    this.#outgoing.req.socket.off('close', onClose);
  }
}

/** @hono/node-server passes `{ incoming, outgoing }` as the app's env; anything else (app.request) has no response to watch. */
export function responseCloseSignal(env: unknown): CancelSignal | undefined {
  const outgoing = (env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  return outgoing ? new ResponseCloseSignal(outgoing) : undefined;
}
