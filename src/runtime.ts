// The seam between the runtime-agnostic app and a runtime adapter.
// The app reads capabilities from this object; it never asks "which runtime am I on".

export type RuntimeName = 'node' | 'bun' | 'deno' | 'workerd';

/** How `POST /delay` runs its work: the FastAPI guide's three single-process lessons. */
export type Mode = 'blocking' | 'async' | 'pool';
export const MODES: readonly Mode[] = ['blocking', 'async', 'pool'];

/**
 * What the work is: an idle wait (like `time.sleep`) for `ms` of wall-clock time, or CPU-bound
 * computation: a fixed amount, what one idle core does in `ms` (src/cpu-work.js).
 */
export type Work = 'sleep' | 'cpu';
export const WORKS: readonly Work[] = ['sleep', 'cpu'];

/** When a piece of work ran and on which thread. Times are epoch milliseconds with a fraction. */
export interface WorkTiming {
  startedAt: number;
  endedAt: number;
  /** 0 for the event loop's thread, the pool thread's id otherwise. */
  threadId: number;
  /** CPU time the thread spent on the work, in milliseconds; absent where the runtime cannot tell, and for async waits. */
  cpuMs?: number;
}

export interface PoolStats {
  /** Threads alive now (the pool grows on demand and shrinks when idle). */
  threads: number;
  minThreads: number;
  maxThreads: number;
  /** Tasks running on a thread now. */
  busy: number;
  /** Tasks waiting for a thread. */
  queued: number;
  maxQueue: number;
  completed: number;
  /** Tasks rejected because the queue was full (answered 503). */
  rejected: number;
  /** Tasks dropped while waiting for a thread, because their client went away. */
  cancelled: number;
}

/**
 * What waiting work needs to hear of its client going away. An AbortSignal is one; a runtime may
 * offer a cheaper one (Runtime.clientSignal).
 */
export interface CancelSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Blocking work moved off the event loop onto threads. */
export interface ThreadPool {
  /**
   * Runs `work` for `ms` on a pool thread, as Runtime.block would (CPU work sized on the calling thread).
   * Rejects with PoolOverloadedError (src/errors.ts) at once when the queue is full, and with
   * WorkCancelledError when `signal` aborts before the task starts.
   */
  run(ms: number, work: Work, signal?: CancelSignal): Promise<WorkTiming>;
  stats(): PoolStats;
  /** Stops every thread; a server calls it after its in-flight requests have been answered. */
  close(): Promise<void>;
}

export interface Runtime {
  readonly name: RuntimeName;
  /** The runtime's own version, e.g. process.versions.node. */
  readonly version: string;
  /** The id of the process (or isolate) answering: process.pid, Deno.pid, or a stable isolate id. */
  workerId(): number | string;
  /** Wall-clock time in epoch milliseconds, as precise as the runtime allows. */
  now(): number;
  /** Waits without blocking the event loop. Rejects with WorkCancelledError when `signal` aborts. */
  sleep(ms: number, signal?: CancelSignal): Promise<void>;
  /**
   * Blocks the calling thread: 'sleep' waits idle for `ms` where the runtime can, 'cpu' computes what
   * one idle core does in `ms`. Returns the CPU time the thread spent, in milliseconds, where the
   * runtime can tell.
   */
  block(ms: number, work: Work): number | undefined;
  /**
   * What must happen before the first block() and needs an event boundary (Workers' calibration),
   * as a promise to await; undefined when nothing is left to do. Only a request that will block
   * calls it, so no other request pays for it.
   */
  beforeBlock?(): Promise<void> | undefined;
  /** Absent where the runtime has no threads (Workers): `mode=pool` then answers 501. */
  readonly pool?: ThreadPool;
  /**
   * Requests reach the app over HTTP/1.1 only, so one with neither Content-Length nor
   * Transfer-Encoding has no body: the app then neither reads nor limits one.
   */
  readonly http1Only?: boolean;
  /**
   * The request's client-gone signal from the server's own bindings (Hono's `c.env`), made without
   * the web Request's AbortSignal; absent, or undefined for these bindings: the app uses `c.req.raw.signal`.
   */
  clientSignal?(env: unknown): CancelSignal | undefined;
  /** How requests are spread over processes, for `GET /info`. */
  readonly processes: ProcessInfo;
  /** This process's memory, CPU time and start, for `GET /metrics`; absent where the runtime cannot tell (Workers). */
  processStats?(): ProcessStats;
}

/** What node:process tells about the process it runs in (Node, Bun and Deno all implement it). */
export interface ProcessStats {
  rssBytes: number;
  heapUsedBytes: number;
  /** User plus system CPU time since the process started. */
  cpuSeconds: number;
  /** When the process started, in seconds since the Unix epoch. */
  startTimeSeconds: number;
}

/** A server that is its own only process. */
export const ONE_PROCESS: ProcessInfo = { count: 1, balancing: 'one process' };

export interface ProcessInfo {
  /** Processes serving this port, or null where the platform decides (Workers). */
  count: number | null;
  /** With several processes: who picks the process for a new connection (`--balance`, src/serve/balance.ts). */
  balance?: string;
  /** How connections reach them, in words: "node:cluster round-robin", "SO_REUSEPORT kernel hashing", … */
  balancing: string;
}
