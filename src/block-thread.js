// Blocking the calling thread, in standard JavaScript, shared by the adapters whose runtime allows them.
// Plain JavaScript (typed with JSDoc, checked by tsc) so that a Node pool thread can load it without
// a TypeScript loader: registering tsx in every new thread made the pool's cold start 5x slower.

/**
 * Blocks the calling thread without using the CPU, like Python's `time.sleep`.
 * Atomics.wait on a private SharedArrayBuffer never gets a notify, so it simply times out.
 * Allowed on the main thread in Node, Deno and Bun, and on every worker thread.
 * @param {number} ms
 * @returns {void}
 */
export function sleepBlocking(ms) {
  if (ms <= 0) return;
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Keeps one CPU busy for `ms`, as CPU-bound work would. The clock is read only every few
 * thousand iterations so that the loop is mostly arithmetic, not clock calls.
 * @param {number} ms
 * @param {() => number} [now]
 * @returns {number} a value computed by the loop, so that the engine cannot drop it as dead code
 */
export function burnCpu(ms, now = () => performance.now()) {
  const deadline = now() + ms;
  let x = 0;
  do {
    for (let i = 0; i < 10_000; i++) x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
  } while (now() < deadline);
  return x;
}

/**
 * Blocks the calling thread for `ms` doing `work`.
 * @param {number} ms
 * @param {import('./runtime.ts').Work} work
 * @returns {void}
 */
export function blockThread(ms, work) {
  if (work === 'cpu') burnCpu(ms);
  else sleepBlocking(ms);
}
