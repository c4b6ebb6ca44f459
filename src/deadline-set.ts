// A set whose members leave by themselves when their deadline passes, checked each time the set is
// read: for what the platform may never remove. workerd drops every continuation of a request whose
// client has gone (its `finally`, its timers, its stream's cancel), so the only code sure to run
// later is the next request's: that one, reading the set, sweeps out what outlived its deadline.
export class DeadlineSet<T> {
  readonly #deadlines = new Map<T, number>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** `member` stays in the set until `delete`, or until `now()` reaches `deadline`. */
  add(member: T, deadline: number): void {
    this.#deadlines.set(member, deadline);
  }

  delete(member: T): boolean {
    return this.#deadlines.delete(member);
  }

  /** The members whose deadline has not passed. */
  get size(): number {
    this.#sweep();
    return this.#deadlines.size;
  }

  /** The members whose deadline has not passed, in the order they were added. */
  members(): T[] {
    this.#sweep();
    return [...this.#deadlines.keys()];
  }

  #sweep(): void {
    // The common case, nobody subscribed: no clock read at all.
    if (this.#deadlines.size === 0) return;
    const now = this.#now();
    for (const [member, deadline] of this.#deadlines) if (deadline <= now) this.#deadlines.delete(member);
  }
}
