// The Deno supervisor's balancer (--workers with --balance least-busy or round-robin), on Deno.listen
// and Deno.connect rather than node:net. Same job as adapters/balancer/tcp-balancer.ts, which Node
// and Bun run: accept every connection on the public port, carry its bytes to the child that
// src/serve/balance.ts picks, and count what it sees (HandedConnection).
//
// Why not node:net on Deno: Deno 2.9's node:net listener (deno_core's uv_compat, tcp.rs) takes a
// failed accept (EMFILE, once a flood holds every open file) as "nothing to accept": no callback, so
// no 'error' event, and its task is not woken for the connections that arrive after. Its port stays
// open and the kernel keeps completing handshakes, but nothing is ever accepted again. Here the
// accept loop is ours: a failed accept is counted and logged (src/serve/accept-errors.ts), and the
// next one is tried after Go's backoff, so the balancer accepts again as soon as a descriptor is free.
import { acceptBackoffMs } from '../../src/serve/accept-errors.ts';
import type { HandedConnection } from '../../src/serve/balance.ts';
import { ChildBalancer } from '../balancer/child-balancer.ts';
import { LISTEN_BACKLOG } from '../balancer/tcp-balancer.ts';

const LOOPBACK = '127.0.0.1';
/** Each direction of a connection reads into a buffer of its own, reused for every chunk. */
const CHUNK_BYTES = 16 * 1024;

export class DenoBalancer extends ChildBalancer {
  #listener: Deno.TcpListener | undefined;
  #closing = false;

  listen(host: string, port: number): Promise<number> {
    try {
      // Synchronous: a port in use throws AddrInUse ("Address already in use") here. No SO_REUSEPORT.
      this.#listener = Deno.listen({ hostname: host, port, transport: 'tcp', tcpBacklog: LISTEN_BACKLOG });
    } catch (error) {
      return Promise.reject(error);
    }
    void this.#acceptLoop(this.#listener);
    return Promise.resolve(this.#listener.addr.port);
  }

  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    closeQuietly(this.#listener);
  }

  async #acceptLoop(listener: Deno.TcpListener): Promise<void> {
    let failures = 0;
    while (!this.#closing) {
      let client: Deno.TcpConn;
      try {
        client = await listener.accept();
      } catch (error) {
        // Closed by close(): the drain has begun.
        if (this.#closing) return;
        // Out of open files (or memory): the connection waits in the kernel's queue meanwhile.
        this.acceptErrorLog.acceptFailed(error);
        await new Promise((resolve) => setTimeout(resolve, acceptBackoffMs(++failures)));
        continue;
      }
      failures = 0;
      void this.#hand(client);
    }
  }

  /** Connects `client` to the chosen child, or to another if that one refuses; closes it if none is left. */
  async #hand(client: Deno.TcpConn): Promise<void> {
    client.setNoDelay(true);
    const refused = new Set<number>();
    for (;;) {
      const choice = this.handOut(refused);
      // No child takes connections (all starting or gone): closed at once rather than left hanging.
      if (!choice) return closeQuietly(client);
      const { handed, port } = choice;
      try {
        const upstream = await Deno.connect({ hostname: LOOPBACK, port });
        upstream.setNoDelay(true);
        return this.#splice(client, upstream, handed);
      } catch {
        // The child died between its last answer and its removal (or no descriptor is left): try another.
        refused.add(handed.backend.id);
        handed.undo();
      }
    }
  }

  /**
   * Carries bytes both ways, each side's end passed on as a half close; when both sides have ended,
   * or either fails (a reset, a child killed), both are closed at once, so a client whose child died
   * is told by a closed connection, never left waiting. Backpressure: the next read waits for the write.
   */
  async #splice(client: Deno.TcpConn, upstream: Deno.TcpConn, handed: HandedConnection<number>): Promise<void> {
    try {
      await Promise.all([
        pump(client, upstream, () => handed.clientSpoke()),
        pump(upstream, client, () => handed.serverSpoke()),
      ]);
    } catch {
      // One side failed: both close below, which also ends the other direction's read.
    } finally {
      handed.end();
      closeQuietly(client);
      closeQuietly(upstream);
    }
  }
}

/** Copies `from` to `to` until `from` ends, then half-closes `to`; rejects on a failed read or write. */
async function pump(from: Deno.TcpConn, to: Deno.TcpConn, onData: () => void): Promise<void> {
  const buffer = new Uint8Array(CHUNK_BYTES);
  try {
    for (;;) {
      const read = await from.read(buffer);
      if (read === null) break;
      onData();
      for (let written = 0; written < read;) written += await to.write(buffer.subarray(written, read));
    }
  } catch (error) {
    // The other direction's failure closed both: end this one too, without an error of its own.
    closeQuietly(from);
    closeQuietly(to);
    throw error;
  }
  await to.closeWrite().catch(() => {});
}

function closeQuietly(resource: { close(): void } | undefined): void {
  try {
    resource?.close();
  } catch {
    // Already closed.
  }
}
