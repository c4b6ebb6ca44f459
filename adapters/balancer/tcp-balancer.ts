// The supervisor's own listener under `--balance least-busy` (and round-robin on Bun and Deno): it
// accepts every connection on the public port and carries its bytes to one child, which listens on a
// private loopback port. Which child is src/serve/balance.ts's rule; this file only moves bytes and
// tells the rule what it sees: a connection whose client spoke last has a request in flight, one whose
// server spoke last is idle (HTTP/1.1 answers come after their requests), so no HTTP is parsed here.
//
// Why a proxy and not a hand-over of the socket: Bun 1.4 and Deno 2.9 cannot pass a socket to another
// process, and a supervisor that hands sockets over (as node:cluster can) would not see when each
// request ends. node:net, which Node, Bun and Deno all implement, so that one file serves the three.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { BalancerChildState } from '../../src/observability/scrape-collector.ts';
import type { AcceptErrorLog } from '../../src/serve/accept-errors.ts';
import { BackendSet, HandedConnection } from '../../src/serve/balance.ts';
import type { Balancer } from './open-balancer.ts';

/** As a lone server's (adapters/node/listen.ts): connections waiting to be accepted; Linux caps it at somaxconn. */
export const LISTEN_BACKLOG = 65_535;
const LOOPBACK = '127.0.0.1';

export class TcpBalancer implements Balancer {
  readonly #backends: BackendSet<number>;
  /** Each child's private port, by pid. */
  readonly #ports = new Map<number, number>();
  readonly #server: Server;
  readonly #acceptErrors: AcceptErrorLog;
  #listening = false;

  constructor(mode: 'least-busy' | 'round-robin', acceptErrors: AcceptErrorLog) {
    this.#backends = new BackendSet<number>(mode);
    this.#acceptErrors = acceptErrors;
    this.#server = createServer({ allowHalfOpen: true }, (client) => this.#accept(client));
  }

  /** Binds the public port alone (no SO_REUSEPORT: a second server on it fails); resolves with the port bound. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen({ host, port, backlog: LISTEN_BACKLOG }, () => {
        this.#server.off('error', reject);
        // An accept that fails (EMFILE: the supervisor holds two descriptors a connection, its
        // client's and its child's) must not end the supervisor: libuv closes that connection and
        // goes on accepting; the failure is counted and logged, as a lone server's.
        this.#server.on('error', (error) => this.#acceptErrors.acceptFailed(error));
        this.#listening = true;
        const address = this.#server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** A child that listens on `port` (loopback) takes connections from now on. */
  add(pid: number, port: number): void {
    this.#ports.set(pid, port);
    this.#backends.add(pid);
  }

  /** A child that is gone or stopping takes no new connection; those it has end with it. */
  remove(pid: number): void {
    this.#ports.delete(pid);
    this.#backends.remove(pid);
  }

  /** Stops accepting new connections; those open go on until their child closes them. */
  close(): void {
    if (this.#listening) this.#server.close();
    this.#listening = false;
  }

  get acceptErrors(): number {
    return this.#acceptErrors.count;
  }

  stats(): BalancerChildState[] {
    return this.#backends.list().map(({ id, busy, open, handed }) => ({ pid: id, busy, open, handed }));
  }

  #accept(client: Socket): void {
    // Nothing is read until a child is connected: the first bytes wait in the socket.
    client.pause();
    client.setNoDelay(true);
    const refused = new Set<number>();
    const tryNext = (): void => {
      const backend = this.#backends.pick(refused);
      if (!backend) {
        // No child takes connections (all starting or gone): closed at once rather than left hanging.
        client.destroy();
        return;
      }
      // Counted from the choice, not from the connect: connections accepted together see each other.
      const handed = new HandedConnection(backend);
      const upstream = connect({ host: LOOPBACK, port: this.#ports.get(backend.id)!, allowHalfOpen: true });
      upstream.setNoDelay(true);
      const refusedHere = (): void => {
        // The child died between its last answer and its removal: try another one.
        refused.add(backend.id);
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
