// The supervisor's own listener under `--balance least-busy` (and round-robin on Bun and Deno): it
// accepts every connection on the public port and carries its bytes to one child, which listens on a
// private loopback port. Which child is src/serve/balance.ts's rule; this file only moves bytes and
// tells the rule what it sees: a connection whose client spoke last has a request in flight, one whose
// server spoke last is idle (HTTP/1.1 answers come after their requests), so no HTTP is parsed here.
//
// Why a proxy and not a hand-over of the socket: Bun 1.4 and Deno 2.9 cannot pass a socket to another
// process, and a supervisor that hands sockets over (as node:cluster can) would not see when each
// request ends. node:net is Node's carrier. Bun and Deno have their own on their native sockets:
// Bun's costs less CPU (adapters/bun/bun-balancer.ts), and Deno's node:net never accepts again after a
// failed accept (adapters/deno/deno-balancer.ts).
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { HandedConnection } from '../../src/serve/balance.ts';
import { ChildBalancer } from './child-balancer.ts';

/** As a lone server's (adapters/node-http/listen.ts): connections waiting to be accepted; Linux caps it at somaxconn. */
export const LISTEN_BACKLOG = 65_535;
const LOOPBACK = '127.0.0.1';

export class TcpBalancer extends ChildBalancer {
  readonly #server: Server = createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
  #listening = false;

  /** Binds the public port alone (no SO_REUSEPORT: a second server on it fails); resolves with the port bound. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
        this.#server.off('error', reject);
        // An accept that fails (EMFILE: the supervisor holds two descriptors a connection, its
        // client's and its child's) must not end the supervisor: libuv closes that connection and
        // goes on accepting; the failure is counted and logged, as a lone server's.
        this.#server.on('error', (error) => this.acceptErrorLog.acceptFailed(error));
        this.#listening = true;
        const address = this.#server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** Stops accepting new connections; those open go on until their child closes them. */
  close(): void {
    if (this.#listening) this.#server.close();
    this.#listening = false;
  }

  #accept(client: Socket): void {
    // Nothing is read until a child is connected: the first bytes wait in the socket.
    client.pause();
    client.setNoDelay(true);
    const refused = new Set<number>();
    const tryNext = (): void => {
      const choice = this.handOut(refused);
      if (!choice) {
        // No child takes connections (all starting or gone): closed at once rather than left hanging.
        client.destroy();
        return;
      }
      const { handed, port } = choice;
      const upstream = connect({ host: LOOPBACK, port, allowHalfOpen: true });
      upstream.setNoDelay(true);
      const refusedHere = (): void => {
        // The child died between its last answer and its removal: try another one.
        refused.add(handed.backend.id);
        handed.undo();
        upstream.destroy();
        if (client.destroyed) return;
        tryNext();
      };
      upstream.once('error', refusedHere);
      upstream.once('connect', () => {
        upstream.off('error', refusedHere);
        if (client.destroyed) {
          handed.undo();
          upstream.destroy();
        } else this.#splice(client, upstream, handed);
      });
    };
    // A client gone before its child is connected: its connection is dropped when the connect ends.
    client.once('error', () => client.destroy());
    tryNext();
  }

  /** Carries bytes both ways, with backpressure, and keeps the backend's counts. */
  #splice(client: Socket, upstream: Socket, handed: HandedConnection<number>): void {
    const finish = (): void => handed.end();
    const forward = (from: Socket, to: Socket, onData: () => void): void => {
      from.on('data', (chunk: Buffer) => {
        onData();
        if (!to.write(chunk)) from.pause();
      });
      to.on('drain', () => from.resume());
      from.on('end', () => to.end());
    };
    forward(client, upstream, () => handed.clientSpoke());
    forward(upstream, client, () => handed.serverSpoke());
    // A reset or an error on either side ends both at once: a client whose child died is told by a
    // closed connection, never left waiting.
    const abort = (): void => {
      finish();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', abort);
    upstream.on('error', abort);
    // Both halves closed (each 'end' was passed on): the connection is over.
    client.on('close', () => {
      finish();
      upstream.destroy();
    });
    upstream.on('close', () => {
      finish();
      // Whatever the child sent is flushed first; then the client's side closes.
      if (!client.destroyed) client.end(() => client.destroy());
    });
    client.resume();
  }
}
