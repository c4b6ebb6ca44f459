// The WorkerPool on Node: tinypool over worker_threads, grown on demand, shrunk when idle,
// with a bounded queue.
import Tinypool from 'tinypool';
import { PoolOverloadedError, WorkCancelledError, type PoolStats, type Work, type WorkerPool, type WorkTiming } from '../../src/runtime.ts';

export interface PoolOptions {
  /** The module a thread loads; its default export takes `{ ms, work }` and returns a WorkTiming. */
  taskModule: URL;
  maxThreads: number;
  maxQueue: number;
  /** A thread above minThreads that has had no task for this long is stopped. */
  idleTimeoutMs?: number;
}

/** Keeps one thread warm so that the first pool request does not pay for a thread's start. */
const MIN_THREADS = 1;
const IDLE_TIMEOUT_MS = 10_000;

export class TinypoolWorkerPool implements WorkerPool {
  readonly #pool: Tinypool;
  readonly #maxQueue: number;
  /** Threads whose unexpected exit we already listen for. */
  readonly #watched = new WeakSet<object>();
  #inFlight = 0;
  #completed = 0;
  #rejected = 0;
  #cancelled = 0;

  constructor({ taskModule, maxThreads, maxQueue, idleTimeoutMs = IDLE_TIMEOUT_MS }: PoolOptions) {
    this.#maxQueue = maxQueue;
    this.#pool = new Tinypool({
      filename: taskModule.href,
      minThreads: Math.min(MIN_THREADS, maxThreads),
      maxThreads,
      maxQueue,
      idleTimeout: idleTimeoutMs,
    });
    // A thread that dies mid-task rejects that task's promise; without a listener the event would
    // also crash the process.
    this.#pool.on('error', () => {});
  }

  async run(ms: number, work: Work, signal?: AbortSignal): Promise<WorkTiming> {
    // Every thread busy and the queue full: a normal answer (503), decided before tinypool sees it.
    if (this.#inFlight >= this.#pool.options.maxThreads! + this.#maxQueue) {
      this.#rejected++;
      throw new PoolOverloadedError(this.#maxQueue);
    }
    this.#inFlight++;
    try {
      const pending = this.#pool.run({ ms, work }, signal ? { signal } : {});
      this.#watchThreads();
      const timing = (await pending) as WorkTiming;
      this.#completed++;
      return timing;
    } catch (error) {
      if (signal?.aborted) {
        this.#cancelled++;
        throw new WorkCancelledError();
      }
      if (error instanceof Error && /queue is at limit/i.test(error.message)) {
        this.#rejected++;
        throw new PoolOverloadedError(this.#maxQueue);
      }
      throw error;
    } finally {
      this.#inFlight--;
    }
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
    const queued = this.#pool.queueSize;
    return {
      threads: this.#pool.threads.length,
      minThreads: this.#pool.options.minThreads!,
      maxThreads: this.#pool.options.maxThreads!,
      busy: Math.max(0, this.#inFlight - queued),
      queued,
      maxQueue: this.#maxQueue,
      completed: this.#completed,
      rejected: this.#rejected,
      cancelled: this.#cancelled,
    };
  }

  async close(): Promise<void> {
    await this.#pool.destroy();
  }
}
