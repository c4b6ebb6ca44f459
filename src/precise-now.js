// The clock every process runtime reports work times with. Plain JavaScript, like ./block-thread.js,
// so that a Node pool thread loads it without a TypeScript loader.

/**
 * Wall-clock epoch milliseconds with the sub-millisecond precision of performance.now().
 * @returns {number}
 */
export function preciseNow() {
  return performance.timeOrigin + performance.now();
}
