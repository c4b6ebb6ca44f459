// The ThreadPool on Deno: Web Workers, with the semantics of Node's tinypool pool: one thread kept
// warm, more started on demand up to maxThreads, threads above the minimum stopped after idling,
// and a bounded queue that sheds load at once (503) rather than letting waits grow without end.
import { cpuSteps } from '../../src/cpu-work.js';
import { PoolOverloadedError, WorkCancelledError } from '../../src/errors.ts';
import type { CancelSignal, PoolStats, Work, ThreadPool, WorkTiming } from '../../src/runtime.ts';
import { TaskSlot, THREAD_READY, type PoolResultMessage, type PoolTaskMessage } from './task-slot.ts';

export interface DenoThreadPoolOptions {
  maxThreads: number;
  maxQueue: number;
  /** A thread above minThreads that has had no task for this long is stopped. */
  idleTimeoutMs?: number;
  /** The module each thread runs; pool-thread.ts unless a test swaps it. */
  workerModule?: URL;
  /** How long past its ms a task may go unanswered before its thread is given up for dead. */
  taskGraceMs?: number;
  /** How long a new thread may take to load before its task fails and it is given up. */
  threadStartMs?: number;
}

/** Keeps one thread warm so that the first pool request does not pay for a thread's start. */
const MIN_THREADS = 1;
const IDLE_TIMEOUT_MS = 10_000;
/**
 * How long past its `ms` a task may go without an answer before its thread is given up for dead.
 * A Web Worker that ends itself (self.close(), Deno.exit() in a library) fires no event at all:
 * without this its request would hang and its thread count as busy for ever.
 */
const TASK_GRACE_MS = 10_000;
/**
 * How long a new thread may take to load its module. Apart from the task grace: under load (the pool
 * regrowing many threads at once on a busy machine) a start can take seconds, which must not count
 * against a task that has not begun; but a thread that never starts must not hold its task for ever.
 */
const THREAD_START_MS = 60_000;

/** Raised for tasks still queued when the pool closes (only after a shutdown timed out). */
export class PoolClosedError extends Error {
  constructor() {
    super('the worker pool closed before this task could run');
    this.name = 'PoolClosedError';
  }
}

interface Task {
  message: PoolTaskMessage;
  signal: CancelSignal | undefined;
  onAbort: () => void;
  resolve: (timing: WorkTiming) => void;
  reject: (error: unknown) => void;
}

interface Thread {
  /** Our own id, from 1: inside a Deno Web Worker node:worker_threads reports threadId 0. */
  id: number;
  worker: Worker;
  /** Where its tasks are written, and it is woken (./task-slot.ts). */
  slot: TaskSlot;
  task: Task | undefined;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Fails the task if no answer comes within its ms plus TASK_GRACE_MS of the thread being ready. */
  watchdog: ReturnType<typeof setTimeout> | undefined;
  /** It has loaded and waits on its slot (its first message said so). */
  ready: boolean;
}

export class DenoThreadPool implements ThreadPool {
  readonly #maxThreads: number;
  readonly #minThreads: number;
  readonly #maxQueue: number;
  readonly #idleTimeoutMs: number;
  readonly #workerModule: URL;
  readonly #taskGraceMs: number;
  readonly #threadStartMs: number;
  readonly #threads = new Set<Thread>();
  readonly #queue: Task[] = [];
  #nextThreadId = 1;
  #completed = 0;
  #rejected = 0;
  #cancelled = 0;
  #closing = false;
  /** Resolves when the last running task has finished, once close() waits for it. */
  #drained: (() => void) | undefined;

  constructor({
    maxThreads,
    maxQueue,
    idleTimeoutMs = IDLE_TIMEOUT_MS,
    workerModule = new URL('./pool-thread.ts', import.meta.url),
    taskGraceMs = TASK_GRACE_MS,
    threadStartMs = THREAD_START_MS,
  }: DenoThreadPoolOptions) {
    this.#taskGraceMs = taskGraceMs;
    this.#threadStartMs = threadStartMs;
    this.#maxThreads = maxThreads;
    this.#minThreads = Math.min(MIN_THREADS, maxThreads);
    this.#maxQueue = maxQueue;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#workerModule = workerModule;
    for (let i = 0; i < this.#minThreads; i++) this.#idle(this.#startThread());
  }

  run(ms: number, work: Work, signal?: CancelSignal): Promise<WorkTiming> {
    if (this.#closing) return Promise.reject(new PoolClosedError());
    if (signal?.aborted) {
      this.#cancelled++;
      return Promise.reject(new WorkCancelledError());
    }
    // Every thread busy (or about to be) and the queue full: a normal answer (503), given at once.
    if (this.#busy() + this.#queue.length >= this.#maxThreads + this.#maxQueue) {
      this.#rejected++;
      return Promise.reject(new PoolOverloadedError(this.#maxQueue, ms));
    }
    return new Promise<WorkTiming>((resolve, reject) => {
      const message = { ms, work, steps: work === 'cpu' ? cpuSteps(ms) : 0 };
      const task: Task = { message, signal, resolve, reject, onAbort: () => this.#dropQueued(task) };
      signal?.addEventListener('abort', task.onAbort, { once: true });
      this.#queue.push(task);
      this.#dispatch();
    });
  }

  stats(): PoolStats {
    return {
      threads: this.#threads.size,
      minThreads: this.#minThreads,
      maxThreads: this.#maxThreads,
      busy: this.#busy(),
      queued: this.#queue.length,
      maxQueue: this.#maxQueue,
      completed: this.#completed,
      rejected: this.#rejected,
      cancelled: this.#cancelled,
    };
  }

  async close(): Promise<void> {
    this.#closing = true;
    for (const task of this.#queue.splice(0)) {
      task.signal?.removeEventListener('abort', task.onAbort);
      task.reject(new PoolClosedError());
    }
    // A task running on a thread cannot be interrupted (it blocks that thread): let it finish.
    if (this.#busy() > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
    for (const thread of this.#threads) this.#stopThread(thread);
  }

  #busy(): number {
    let busy = 0;
    for (const thread of this.#threads) if (thread.task) busy++;
    return busy;
  }

  /** Gives queued tasks to idle threads, starting threads while below the maximum. */
  #dispatch(): void {
    while (this.#queue.length > 0) {
      const thread = this.#idleThread() ?? (this.#threads.size < this.#maxThreads ? this.#startThread() : undefined);
      if (!thread) return; // every thread busy: the task waits in the queue
      this.#assign(thread, this.#queue.shift()!);
    }
  }

  #idleThread(): Thread | undefined {
    for (const thread of this.#threads) if (!thread.task) return thread;
    return undefined;
  }

  #startThread(): Thread {
    const id = this.#nextThreadId++;
    // Module workers inherit the parent's permissions; the name shows in stack traces and inspectors.
    const worker = new Worker(this.#workerModule, { type: 'module', name: `pool-thread-${id}` });
    const slot = new TaskSlot();
    const thread: Thread = {
      id,
      worker,
      slot,
      task: undefined,
      idleTimer: undefined,
      watchdog: undefined,
      ready: false,
    };
    // Its first message, queued until the thread has loaded: the slot it then waits on.
    worker.postMessage(slot.buffer);
    worker.onmessage = ({ data }: MessageEvent<PoolResultMessage | typeof THREAD_READY>) =>
      data === THREAD_READY ? this.#ready(thread) : this.#finish(thread, { ...data, threadId: id });
    // An exception inside the worker: its task fails (500) and the thread is replaced on demand.
    worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      this.#fail(thread, new Error(`pool thread ${id} failed: ${event.message}`));
    };
    worker.onmessageerror = () => this.#fail(thread, new Error(`pool thread ${id} sent a message that cannot be read`));
    this.#threads.add(thread);
    return thread;
  }

  #assign(thread: Thread, task: Task): void {
    clearTimeout(thread.idleTimer);
    thread.idleTimer = undefined;
    // Once running, the work cannot be called back: the client's going away no longer matters.
    task.signal?.removeEventListener('abort', task.onAbort);
    thread.task = task;
    this.#watch(thread, task);
    // A thread still loading finds the task in its slot once it waits on it.
    thread.slot.post(task.message);
  }

  /** The thread has loaded: a task already in its slot is timed from now. */
  #ready(thread: Thread): void {
    thread.ready = true;
    if (thread.task) this.#watch(thread, thread.task);
  }

  /**
   * The watchdog: its ms plus the grace on a thread that is ready; on one still loading, its start
   * deadline (the task is timed again once the thread is ready).
   */
  #watch(thread: Thread, task: Task): void {
    clearTimeout(thread.watchdog);
    thread.watchdog = thread.ready
      ? setTimeout(
          () =>
            this.#fail(
              thread,
              new Error(`pool thread ${thread.id} gave no answer ${this.#taskGraceMs} ms after its task was due`),
            ),
          this.#dueMs(task.message) + this.#taskGraceMs,
        )
      : setTimeout(
          () =>
            this.#fail(thread, new Error(`pool thread ${thread.id} did not start within ${this.#threadStartMs} ms`)),
          this.#threadStartMs,
        );
    Deno.unrefTimer(thread.watchdog);
  }

  /**
   * When a task is due. CPU work takes longer when threads outnumber the cores (a fixed amount of
   * computation on a shared core): at worst every thread shares one core.
   */
  #dueMs({ ms, work }: PoolTaskMessage): number {
    return work === 'cpu' ? ms * this.#maxThreads : ms;
  }

  #finish(thread: Thread, timing: WorkTiming): void {
    clearTimeout(thread.watchdog);
    const task = thread.task;
    thread.task = undefined;
    if (task) {
      this.#completed++;
      task.resolve(timing);
    }
    this.#afterTask(thread);
  }

  #fail(thread: Thread, error: Error): void {
    clearTimeout(thread.watchdog);
    const task = thread.task;
    thread.task = undefined;
    this.#stopThread(thread);
    task?.reject(error);
    this.#afterTask(undefined);
  }

  #afterTask(thread: Thread | undefined): void {
    if (this.#closing) {
      if (this.#busy() === 0) this.#drained?.();
      return;
    }
    this.#dispatch();
    if (thread && !thread.task) this.#idle(thread);
  }

  /** Threads above the minimum that stay idle for idleTimeoutMs are stopped. */
  #idle(thread: Thread): void {
    clearTimeout(thread.idleTimer);
    thread.idleTimer = setTimeout(() => {
      if (!thread.task && this.#threads.size > this.#minThreads) this.#stopThread(thread);
    }, this.#idleTimeoutMs);
    // An idle timer must not keep the process alive on its own.
    Deno.unrefTimer(thread.idleTimer);
  }

  #stopThread(thread: Thread): void {
    clearTimeout(thread.idleTimer);
    clearTimeout(thread.watchdog);
    // A thread waiting on its slot leaves its loop first: terminate() alone would not end it.
    thread.slot.stop();
    thread.worker.terminate();
    this.#threads.delete(thread);
  }

  #dropQueued(task: Task): void {
    const index = this.#queue.indexOf(task);
    if (index < 0) return;
    this.#queue.splice(index, 1);
    this.#cancelled++;
    task.reject(new WorkCancelledError());
  }
}
