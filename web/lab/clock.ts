// The page's clock and how it relates to the server's. Server times (start_time, end_time, events)
// are drawn on the page's time axis: on one machine the two clocks are one clock and the offset is
// 0; elsewhere (a deployed Worker) it is estimated from when the page sent and received each answer.

/** Epoch ms with the sub-millisecond part the browser gives. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Within this many ms, the clocks are taken to be the same clock. */
const SAME_CLOCK_MS = 5;

export class ClockOffset {
  /** server = page + offset, with offset in [low, high] as far as the observations tell. */
  #low = Number.NEGATIVE_INFINITY;
  #high = Number.POSITIVE_INFINITY;

  /**
   * Something happened on the server between `serverFrom` and `serverTo` (its clock), inside a
   * request the page sent at `pageSent` and saw answered at `pageReceived` (the page's clock).
   */
  observe(serverFrom: number | undefined, pageSent: number, pageReceived: number, serverTo = serverFrom): void {
    if (serverFrom === undefined || serverTo === undefined) return;
    this.#high = Math.min(this.#high, serverFrom - pageSent);
    this.#low = Math.max(this.#low, serverTo - pageReceived);
  }

  /** Server minus page, in ms: 0 when the observations allow it (one machine), else the middle of what they allow. */
  get offsetMs(): number {
    const low = this.#low;
    const high = this.#high;
    if (low <= SAME_CLOCK_MS && high >= -SAME_CLOCK_MS) return 0;
    if (!Number.isFinite(low)) return high;
    if (!Number.isFinite(high)) return low;
    return (low + high) / 2;
  }

  /** A server time on the page's clock. */
  toPage(serverTime: number): number {
    return serverTime - this.offsetMs;
  }
}
