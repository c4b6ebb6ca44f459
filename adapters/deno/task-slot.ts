// How the Deno pool hands a task to its thread: a SharedArrayBuffer per thread (its slot) that the
// pool writes the task into, and an Atomics.notify that wakes the thread waiting on it. A Web
// Worker's postMessage costs both sides a structured clone and wakes the thread's event loop; on
// an `ms=0` task that was about two thirds of the pool's CPU a request. The answer still comes back
// as a message: the pool's thread is the event loop, which must not wait.
//
// A thread waiting on its slot never returns to its event loop, and Deno's worker.terminate()
// does not interrupt Atomics.wait: so the slot also carries a stop word, raised before terminate(),
// on which the thread leaves its loop and lets the termination happen.

export interface PoolTaskMessage {
  ms: number;
  /** A Work, or in tests the name of a fault to inject (fixtures/faulty-pool-thread.ts). */
  work: string;
  /** The size of CPU work, computed by the thread that took the request (src/cpu-work.js). */
  steps: number;
}

/** A thread's first message: it has loaded and waits on its slot (the pool times its task from here). */
export const THREAD_READY = 'ready';

export interface PoolResultMessage {
  startedAt: number;
  endedAt: number;
  cpuMs?: number;
}

// Int32 words: the task count (the thread waits for it to change), the stop word, the work's length
// then its characters; two Float64 at the end: ms and steps.
const COUNT = 0;
const STOP = 1;
const WORK_LENGTH = 2;
const WORK_CHARS = 3;
/** The longest name of a work (`sleep`, `cpu`; a test's fault names). */
const MAX_WORK_CHARS = 11;
const NUMBERS_AT = (WORK_CHARS + MAX_WORK_CHARS) * 4;
const BYTES = NUMBERS_AT + 2 * 8;

/** A thread's slot: made by the pool, sent to its thread once, written for every task. */
export class TaskSlot {
  readonly buffer: SharedArrayBuffer;
  readonly #words: Int32Array;
  readonly #numbers: Float64Array;

  constructor(buffer = new SharedArrayBuffer(BYTES)) {
    this.buffer = buffer;
    this.#words = new Int32Array(buffer, 0, NUMBERS_AT / 4);
    this.#numbers = new Float64Array(buffer, NUMBERS_AT, 2);
  }

  /** The pool's side: writes the task, then wakes the thread (or it finds the task when it starts). */
  post({ ms, work, steps }: PoolTaskMessage): void {
    if (work.length > MAX_WORK_CHARS) throw new RangeError(`a work name has at most ${MAX_WORK_CHARS} characters`);
    this.#numbers[0] = ms;
    this.#numbers[1] = steps;
    this.#words[WORK_LENGTH] = work.length;
    for (let i = 0; i < work.length; i++) this.#words[WORK_CHARS + i] = work.charCodeAt(i);
    // The count is written last and atomically: a thread that sees it changed sees the task whole.
    Atomics.add(this.#words, COUNT, 1);
    Atomics.notify(this.#words, COUNT, 1);
  }

  /** The pool's side: asks the thread to leave its loop, so that terminate() can end it. */
  stop(): void {
    Atomics.store(this.#words, STOP, 1);
    Atomics.add(this.#words, COUNT, 1);
    Atomics.notify(this.#words, COUNT, 1);
  }

  /**
   * The thread's side: runs `run` for each task posted, in order, until stop() (then returns). Blocks
   * the thread between tasks, without CPU.
   */
  serve(run: (task: PoolTaskMessage) => void): void {
    let seen = 0;
    for (;;) {
      Atomics.wait(this.#words, COUNT, seen);
      if (Atomics.load(this.#words, STOP) !== 0) return;
      seen = Atomics.load(this.#words, COUNT);
      let work = '';
      for (let i = 0; i < this.#words[WORK_LENGTH]!; i++) work += String.fromCharCode(this.#words[WORK_CHARS + i]!);
      run({ ms: this.#numbers[0]!, work, steps: this.#numbers[1]! });
    }
  }
}
