// The Bun supervisor's balancer (--workers with --balance least-busy or round-robin), on Bun.listen
// and Bun.connect rather than node:net. Same job as adapters/balancer/tcp-balancer.ts: accept every
// connection on the public port, carry its bytes to the child that src/serve/balance.ts picks, and
// count what it sees (HandedConnection). Why: Bun's node:net is a layer over these same sockets, and
// every chunk crossing it twice (a Buffer, a stream, its events) was most of the supervisor's CPU.
import type { Socket, SocketHandler, TCPSocketListener } from 'bun';
import type { HandedConnection } from '../../src/serve/balance.ts';
import { ChildBalancer } from '../balancer/child-balancer.ts';

const LOOPBACK = '127.0.0.1';

/** Bun 1.4's sockets pause and resume reading; bun-types does not declare it. */
interface Pausable {
  pause(): void;
  resume(): void;
}

/**
 * One side of a carried connection: its socket once open, and the bytes for it that the socket did
 * not take yet. While any wait, the other side is not read (backpressure).
 */
class Side {
  socket: Socket<Side> | undefined;
  peer!: Side;
  readonly #waiting: Uint8Array[] = [];
  /** The other side ended (FIN): pass it on once the waiting bytes are written. */
  #endPending = false;
  /** This socket closes once the waiting bytes are written (its peer is gone). */
  #closePending = false;
  closed = false;

  constructor(readonly spoke: () => void) {}

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    const socket = this.socket;
    const written = socket && this.#waiting.length === 0 ? socket.write(bytes) : 0;
    if (written < bytes.length) {
      // A copy: Bun reuses the buffer it read into once this handler returns. Not `bytes.slice()`:
      // `bytes` is a Buffer, whose slice is a view of the same memory (the bytes kept were then
      // overwritten by the next read, and a slow reader got corrupt answers).
      this.#waiting.push(new Uint8Array(bytes.subarray(Math.max(written, 0))));
      pausable(this.peer.socket)?.pause();
    }
  }

  /** Writes what waits (the socket drained, or just opened); then passes on an end or a close. */
  flush(): void {
    const socket = this.socket;
    if (!socket || this.closed) return;
    while (this.#waiting.length > 0) {
      const chunk = this.#waiting[0]!;
      const written = socket.write(chunk);
      if (written < chunk.length) {
        this.#waiting[0] = chunk.subarray(Math.max(written, 0));
        return;
      }
      this.#waiting.shift();
    }
    pausable(this.peer.socket)?.resume();
    if (this.#closePending) socket.end();
    else if (this.#endPending) socket.shutdown();
  }

  /** The peer sent FIN: send ours once the bytes before it are out. */
  peerEnded(): void {
    this.#endPending = true;
    this.flush();
  }

  /** The peer closed: close once the bytes it sent are out. */
  peerClosed(): void {
    this.#closePending = true;
    this.flush();
  }

  terminate(): void {
    if (!this.closed) this.socket?.terminate();
  }
}

function pausable(socket: Socket<Side> | undefined): Pausable | undefined {
  return socket as unknown as Pausable | undefined;
}

/** What both sides of a carried connection do alike: pass bytes and an end on, write on drain. */
const CARRYING: Pick<SocketHandler<Side>, 'data' | 'drain' | 'end' | 'error'> = {
  data: (socket, bytes) => {
    socket.data.spoke();
    socket.data.peer.write(bytes);
  },
  drain: (socket) => socket.data.flush(),
  end: (socket) => socket.data.peer.peerEnded(),
  error: (socket) => socket.terminate(),
};

export class BunBalancer extends ChildBalancer {
  #listener: TCPSocketListener<Side> | undefined;

  listen(host: string, port: number): Promise<number> {
    try {
      // exclusive: no SO_REUSEPORT, so a second server on the port fails here.
      this.#listener = Bun.listen<Side>({
        hostname: host,
        port,
        exclusive: true,
        allowHalfOpen: true,
        socket: this.#clientHandlers(),
      });
    } catch (error) {
      return Promise.reject(
        (error as { code?: string }).code === 'EADDRINUSE'
          ? new Error(`listen EADDRINUSE: address already in use ${host}:${port}`)
          : error,
      );
    }
    return Promise.resolve(this.#listener.port);
  }

  close(): void {
    // Open connections go on until their child closes them.
    this.#listener?.stop(false);
    this.#listener = undefined;
  }

  #clientHandlers(): SocketHandler<Side> {
    return {
      ...CARRYING,
      open: (client) => this.#accept(client),
      // A client gone: its child's connection ends with it.
      close: (client) => {
        client.data.closed = true;
        client.data.peer.terminate();
      },
    };
  }

  #accept(client: Socket<Side>): void {
    client.setNoDelay(true);
    const upstream = new Side(() => handed?.serverSpoke());
    const side = new Side(() => handed?.clientSpoke());
    side.socket = client;
    side.peer = upstream;
    upstream.peer = side;
    client.data = side;
    let handed: HandedConnection<number> | undefined;
    const refused = new Set<number>();
    const tryNext = (): void => {
      const choice = this.handOut(refused);
      // No child takes connections (all starting or gone): closed at once rather than left hanging.
      if (!choice) return client.terminate();
      handed = choice.handed;
      const attempt = choice.handed;
      Bun.connect<Side>({
        hostname: LOOPBACK,
        port: choice.port,
        allowHalfOpen: true,
        data: upstream,
        socket: {
          ...CARRYING,
          open: (socket) => {
            socket.setNoDelay(true);
            if (side.closed) return socket.terminate();
            upstream.socket = socket;
            upstream.flush();
          },
          // The child closed (after its answer, or killed): whatever it sent is flushed, then the client closes.
          close: (socket) => {
            socket.data.closed = true;
            attempt.end();
            socket.data.peer.peerClosed();
          },
          // The child died between its last answer and its removal: try another one.
          connectError: () => {
            refused.add(attempt.backend.id);
            attempt.undo();
            if (!side.closed) tryNext();
          },
        },
      }).catch(() => {
        // Reported by connectError.
      });
    };
    tryNext();
    // A client that closes before its child is connected: counted out when that connect ends.
  }
}
