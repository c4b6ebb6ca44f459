// An in-process event bus: the log events of this process (request_received, work_started, …),
// published as they are logged, for GET /lab/events to stream to the live lab page. Portable (no
// timers, no node: modules): every runtime, Workers included, has one bus per app, so one per
// process (or isolate). A stream sees only the events of the process that serves it.
import { DeadlineSet } from './deadline-set.ts';
import type { LogEvent, LogFields, Logger, LogLevel } from './logger.ts';

export interface BusEvent {
  event: LogEvent;
  level: LogLevel;
  /** When it was logged, epoch ms on the server's clock. */
  time: number;
  fields: LogFields;
}

export type Subscriber = (event: BusEvent) => void;

export class EventBus {
  readonly #subscribers: DeadlineSet<Subscriber>;

  /** `now`: the clock the subscriptions' deadlines are read on (epoch ms). */
  constructor(now: () => number = Date.now) {
    this.#subscribers = new DeadlineSet(now);
  }

  /**
   * Calls `subscriber` for every event published from now on, until the unsubscribe function it
   * returns is called or `until` (epoch ms) passes: a subscriber whose request the platform dropped
   * without running its cleanup (workerd, after a disconnect) leaves the bus at its deadline anyway.
   */
  subscribe(subscriber: Subscriber, until = Infinity): () => void {
    this.#subscribers.add(subscriber, until);
    return () => this.#subscribers.delete(subscriber);
  }

  get subscribers(): number {
    return this.#subscribers.size;
  }

  /** Synchronous and never throws: a subscriber's failure must not fail the request that logged. */
  publish(event: BusEvent): void {
    for (const subscriber of this.#subscribers.members()) {
      try {
        subscriber(event);
      } catch {
        // a broken stream is the stream's problem, not the logger's
      }
    }
  }
}

/**
 * A logger that logs through `logger` and also publishes every event to `bus`, whatever the log
 * format (with `--log off` the page still sees the events). Its `enabled` is off with --log off while
 * nobody subscribes, so that callers build no event at all then.
 */
export function publishingLogger(logger: Logger, bus: EventBus, now: () => number): Logger {
  const log = (level: LogLevel, event: LogEvent, message: string, fields: LogFields = {}): void => {
    logger.log(level, event, message, fields);
    if (bus.subscribers > 0) bus.publish({ event, level, time: now(), fields });
  };
  return {
    /** On while the underlying logger is, or while a lab page listens: with neither, no request builds an event. */
    get enabled() {
      return logger.enabled || bus.subscribers > 0;
    },
    log,
    info: (event, message, fields) => log('info', event, message, fields),
    warn: (event, message, fields) => log('warn', event, message, fields),
    error: (event, message, fields) => log('error', event, message, fields),
  };
}
