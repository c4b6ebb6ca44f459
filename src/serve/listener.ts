// What a runtime adapter supplies to serve the app: how to listen and how to close. Everything around
// it (ready, drain deadline, pool, exit codes) is the shared lifecycle in ./serve-process.ts.

/** The app's fetch, as every runtime's server calls it: `env` is what the runtime passes beside the request. */
export type Fetch = (request: Request, env?: object) => Response | Promise<Response>;

export interface Listener {
  /** Where the server listens, e.g. http://127.0.0.1:8000. */
  readonly url: string;
  /**
   * `close(false)` begins the drain: stops accepting connections, closes idle kept-alive ones now and
   * each busy one as soon as its answer (which says `Connection: close`, see ./connections.ts) has
   * been sent, and resolves once every request in flight has been answered. It does not wait for
   * connections that have not sent a whole request (slow or silent clients).
   * `close(true)` closes every connection still open, at once: the lifecycle calls it after the drain
   * to end those, or at its deadline to cut off requests still running.
   */
  close(force: boolean): Promise<void>;
  /** Connections as the runtime lets this process count them; absent where it does not (/metrics omits them). */
  connections?(): ConnectionCounts;
}

export interface ConnectionCounts {
  /** Connections open now. */
  open: number;
  /** Connections closed at once because --max-connections were open. */
  refused: number;
}

/** What a listener tells the lifecycle about its connections. */
export interface ListenEvents {
  /** Accepting a connection failed (EMFILE, ENFILE, ENOMEM…): logged at most once a second, counted. */
  acceptFailed(error: unknown): void;
}

/** Opens the port and resolves once it accepts connections; rejects when it cannot (port taken, no permission). */
export type Listen = (fetch: Fetch, events: ListenEvents) => Promise<Listener>;

/** The process the server runs in: Node's and Bun's `process` fit as they are; Deno's adapter wraps Deno.*. */
export interface HostProcess {
  readonly pid: number;
  on(signal: 'SIGINT' | 'SIGTERM', handler: () => void): unknown;
  exit(code: number): never;
}
