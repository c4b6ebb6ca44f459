// The ThreadPool on Node (and Bun): tinypool over worker_threads, grown on demand, shrunk when idle,
// behind an admission queue of our own.
//
// Why our own queue in front of tinypool's: tinypool aborts a task whose signal fires even while it
// runs, by terminating its thread. A client that hangs up would then cost a thread start, and a
// running task would behave differently here than on Deno. So tinypool only ever gets as many tasks
// as it has threads, and never a signal: a task waiting here for a thread is dropped when its
// client goes away; a task that started runs to its end.
import Tinypool from 'tinypool';
import { PoolOverloadedError, WorkCancelledError } from '../../src/errors.ts';
import { cpuSteps } from '../../src/cpu-work.js';
import type { CancelSignal, PoolStats, Work, ThreadPool, WorkTiming } from '../../src/runtime.ts';

/** What a thread's task module gets: `steps` is the size of CPU work, computed by the thread that took the request. */
export interface PoolTask {
  ms: number;
  work: Work;
  steps: number;
}

export interface PoolOptions {
  /** The module a thread loads; its default export takes a PoolTask and returns a WorkTiming. */
  taskModule: URL;
  maxThreads: number;
  maxQueue: number;
  /** A thread above minThreads that has had no task for this long is stopped. */
  idleTimeoutMs?: number;
}

/** Keeps one thread warm so that the first pool request does not pay for a thread's start. */
const MIN_THREADS = 1;
const IDLE_TIMEOUT_MS = 10_000;

/** A task admitted but not yet on a thread; `start` hands it a thread's slot. */
interface Waiting {
  start: () => void;
}

export class TinypoolThreadPool implements ThreadPool {
  readonly #pool: Tinypool;
  readonly #maxThreads: number;
  readonly #maxQueue: number;
  readonly #waiting: Waiting[] = [];
  /** Threads whose unexpected exit we already listen for. */
  readonly #watched = new WeakSet<object>();
  /** Tasks handed to tinypool: never more than maxThreads. */
  #running = 0;
  #completed = 0;
  #rejected = 0;
  #cancelled = 0;

  constructor({ taskModule, maxThreads, maxQueue, idleTimeoutMs = IDLE_TIMEOUT_MS }: PoolOptions) {
    this.#maxThreads = maxThreads;
    this.#maxQueue = maxQueue;
    this.#pool = new Tinypool({
      filename: taskModule.href,
      minThreads: Math.min(MIN_THREADS, maxThreads),
      maxThreads,
      idleTimeout: idleTimeoutMs,
      // The task module is plain JavaScript: threads need none of this process's loader flags
      // (they would otherwise inherit --import tsx).
      execArgv: [],
      // adapters/thread-cpu/thread-cpu.js keeps a descriptor open in each thread: closed as the thread exits.
      trackUnmanagedFds: true,
    });
    // A thread that dies mid-task rejects that task's promise; without a listener the event would
    // also crash the process.
    this.#pool.on('error', () => {});
  }

  async run(ms: number, work: Work, signal?: CancelSignal): Promise<WorkTiming> {
    if (signal?.aborted) {
      // Dropped before it waited at all: cancelled all the same (/metrics counts it, as Deno's pool does).
      this.#cancelled++;
      throw new WorkCancelledError();
    }
    if (this.#running < this.#maxThreads) this.#running++;
    else if (this.#waiting.length >= this.#maxQueue) {
      // Every thread busy and the queue full: a normal answer (503), not a backlog.
      this.#rejected++;
      throw new PoolOverloadedError(this.#maxQueue, ms);
    } else await this.#waitForThread(signal);
    try {
      const task: PoolTask = { ms, work, steps: work === 'cpu' ? cpuSteps(ms) : 0 };
      const pending = this.#pool.run(task);
      this.#watchThreads();
      const timing = (await pending) as WorkTiming;
      this.#completed++;
      return timing;
    } finally {
      // The slot passes straight to the next waiting task, so that no newcomer can take it first.
      const next = this.#waiting.shift();
      if (next) next.start();
      else this.#running--;
    }
  }

  #waitForThread(signal?: CancelSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.#waiting.indexOf(entry);
        if (at < 0) return; // no longer waiting: started, or dropped already
        this.#waiting.splice(at, 1);
        this.#cancelled++;
        reject(new WorkCancelledError());
      };
      const entry: Waiting = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#waiting.push(entry);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * tinypool rejects the tasks of a thread that throws, but a thread that simply exits mid-task
   * (process.exit in a native library, say) would leave its task pending forever. Such an exit is
   * turned into the thread's 'error', which tinypool already handles: the task rejects and the
   * thread is replaced. A thread tinypool stopped itself (idle, destroy) is no longer in
   * `threads` when it exits, and is left alone.
   */
  #watchThreads(): void {
    for (const thread of this.#pool.threads) {
      if (this.#watched.has(thread)) continue;
      this.#watched.add(thread);
      thread.on('exit', (code: number) => {
        if (!this.#pool.threads.includes(thread)) return;
        thread.emit('error', new Error(`a pool thread exited unexpectedly (code ${code})`));
        this.#watchThreads();
      });
    }
  }

  stats(): PoolStats {
    return {
      threads: this.#pool.threads.length,
      minThreads: Math.min(MIN_THREADS, this.#maxThreads),
      maxThreads: this.#maxThreads,
      busy: this.#running,
      queued: this.#waiting.length,
      maxQueue: this.#maxQueue,
      completed: this.#completed,
      rejected: this.#rejected,
      cancelled: this.#cancelled,
    };
  }

  /** Stops every thread. The server calls it once its in-flight requests have been answered. */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
