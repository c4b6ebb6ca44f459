// How a supervisor of `--workers N` picks the process for each new connection (`--balance`), and the
// choice itself for the two ways in which the supervisor picks (least-busy, round-robin). Runtime-
// neutral: the adapters carry the bytes (adapters/balancer/) or leave the choice to node:cluster or
// to the kernel; only the rule and its words live here.
import type { ProcessInfo } from '../runtime.ts';

export const BALANCE_MODES = ['least-busy', 'round-robin', 'kernel'] as const;
export type BalanceMode = (typeof BALANCE_MODES)[number];

/** What /info and the ready line say about each way, on any runtime (docs/runtimes.md has the costs). */
export const BALANCE_DESCRIPTIONS: Record<BalanceMode, string> = {
  'least-busy':
    'least-busy: the supervisor accepts each new connection and hands it to a process with the fewest requests in flight ' +
    '(then the fewest open connections), as gunicorn sync workers or HAProxy leastconn; a kept-alive connection stays on its process',
  'round-robin':
    'round-robin: each new connection goes to the next process in turn, busy or not; a kept-alive connection stays on its process',
  kernel:
    'kernel: every process accepts from the port itself and the operating system decides which one takes each new connection, busy or not',
};

/** A process the balancer can hand connections to, and what it carries now. */
export interface Backend<Id> {
  readonly id: Id;
  /** Connections whose client spoke last (a request in flight), or not yet answered at all. */
  busy: number;
  /** Connections open to it, busy or idle (kept alive between requests). */
  open: number;
  /** Connections handed to it since it joined. */
  handed: number;
}

/**
 * The processes that take connections now, and which one gets the next. least-busy: fewest busy
 * connections, then fewest open ones, then the one that has waited longest for a connection;
 * round-robin: each in turn. A new connection counts as busy from the moment it is handed over (its
 * request is on its way), so that connections arriving together spread before any byte has moved.
 */
export class BackendSet<Id> {
  readonly #mode: 'least-busy' | 'round-robin';
  readonly #backends: Backend<Id>[] = [];
  #turn = 0;
  /** Ticks at each hand-over; a backend's last one breaks ties fairly. */
  #clock = 0;
  readonly #lastHanded = new Map<Id, number>();

  constructor(mode: 'least-busy' | 'round-robin') {
    this.#mode = mode;
  }

  add(id: Id): Backend<Id> {
    const backend: Backend<Id> = { id, busy: 0, open: 0, handed: 0 };
    this.#backends.push(backend);
    this.#lastHanded.set(id, -1);
    return backend;
  }

  remove(id: Id): void {
    const index = this.#backends.findIndex((backend) => backend.id === id);
    if (index >= 0) this.#backends.splice(index, 1);
    this.#lastHanded.delete(id);
  }

  get size(): number {
    return this.#backends.length;
  }

  list(): readonly Backend<Id>[] {
    return this.#backends;
  }

  /** The backend for a new connection, leaving out `excluded` (ones that refused it); undefined if none is left. */
  pick(excluded: ReadonlySet<Id> = new Set()): Backend<Id> | undefined {
    const candidates = this.#backends.filter((backend) => !excluded.has(backend.id));
    if (candidates.length === 0) return undefined;
    let chosen: Backend<Id>;
    if (this.#mode === 'round-robin') {
      chosen = candidates[this.#turn++ % candidates.length]!;
    } else {
      chosen = candidates.reduce((best, backend) => (this.#lessBusy(backend, best) ? backend : best));
    }
    this.#lastHanded.set(chosen.id, this.#clock++);
    return chosen;
  }

  #lessBusy(a: Backend<Id>, b: Backend<Id>): boolean {
    if (a.busy !== b.busy) return a.busy < b.busy;
    if (a.open !== b.open) return a.open < b.open;
    return this.#lastHanded.get(a.id)! < this.#lastHanded.get(b.id)!;
  }
}

/**
 * What /info says about the processes of `--workers N` under `mode`; `how` is the runtime's own fact
 * for the ways it does not share (who carries the bytes, what "kernel" means there).
 */
export function balancedProcesses(count: number, mode: BalanceMode, how?: string): ProcessInfo {
  return {
    count,
    balance: mode,
    balancing: how ? `${BALANCE_DESCRIPTIONS[mode]}. ${how}` : BALANCE_DESCRIPTIONS[mode],
  };
}

/**
 * One connection handed to `backend`, as a carrier of bytes sees it: counted busy from the choice
 * (before the connect to the process), busy again each time its client speaks, idle each time its
 * server speaks (HTTP/1.1 answers come after their requests, so no HTTP is parsed), and out of the
 * counts once, when it ends. Every carrier (adapters/balancer/, adapters/deno/) keeps its counts here.
 */
export class HandedConnection<Id> {
  readonly backend: Backend<Id>;
  #busy = true;
  #ended = false;

  constructor(backend: Backend<Id>) {
    this.backend = backend;
    backend.handed++;
    backend.open++;
    backend.busy++;
  }

  /** Bytes from the client: a request is in flight. */
  clientSpoke(): void {
    if (this.#ended || this.#busy) return;
    this.#busy = true;
    this.backend.busy++;
  }

  /** Bytes from the process: its answer is on its way, the connection is idle until the client speaks. */
  serverSpoke(): void {
    if (this.#ended || !this.#busy) return;
    this.#busy = false;
    this.backend.busy--;
  }

  /** The connection is over: it leaves the open (and, if busy, the busy) count, once however often this is called. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.backend.open--;
    if (this.#busy) this.backend.busy--;
  }

  /** The process refused it (its connect failed): as if never handed, so it does not count as handed either. */
  undo(): void {
    if (this.#ended) return;
    this.end();
    this.backend.handed--;
  }
}
