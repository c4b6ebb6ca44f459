// What every carrier of the supervisor's balancer shares, whatever moves its bytes (node:net in
// ./tcp-balancer.ts, Deno.listen in adapters/deno/deno-balancer.ts): the children it hands
// connections to, each on its loopback port, the rule that picks one (src/serve/balance.ts), and
// the counts /metrics reads.
import type { BalancerChildState } from '../../src/observability/scrape-collector.ts';
import type { AcceptErrorLog } from '../../src/serve/accept-errors.ts';
import { BackendSet, HandedConnection } from '../../src/serve/balance.ts';
import type { Balancer } from './open-balancer.ts';

export abstract class ChildBalancer implements Balancer {
  readonly #backends: BackendSet<number>;
  /** Each child's private port, by pid. */
  readonly #ports = new Map<number, number>();
  protected readonly acceptErrorLog: AcceptErrorLog;

  constructor(mode: 'least-busy' | 'round-robin', acceptErrors: AcceptErrorLog) {
    this.#backends = new BackendSet<number>(mode);
    this.acceptErrorLog = acceptErrors;
  }

  abstract listen(host: string, port: number): Promise<number>;
  abstract close(): void;

  add(pid: number, port: number): void {
    this.#ports.set(pid, port);
    this.#backends.add(pid);
  }

  remove(pid: number): void {
    this.#ports.delete(pid);
    this.#backends.remove(pid);
  }

  get acceptErrors(): number {
    return this.acceptErrorLog.count;
  }

  stats(): BalancerChildState[] {
    return this.#backends.list().map(({ id, busy, open, handed }) => ({ pid: id, busy, open, handed }));
  }

  /**
   * The child for a new connection, leaving out those that `refused` it, and the port to connect
   * to; undefined when none is left. Counted from this choice, not from the connect, so that
   * connections accepted together see each other.
   */
  protected handOut(refused: ReadonlySet<number>): { handed: HandedConnection<number>; port: number } | undefined {
    const backend = this.#backends.pick(refused);
    if (!backend) return undefined;
    return { handed: new HandedConnection(backend), port: this.#ports.get(backend.id)! };
  }
}
