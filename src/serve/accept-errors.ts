// What a server does when accepting a connection fails: the process is out of open files (EMFILE), the
// system is (ENFILE), or memory is short (ENOMEM). As Go's net/http does: log it, wait a little, try
// again, and never stop serving because of it. The log says so at most once a second, so that a flood
// that keeps the process at its limit does not also flood the log. Written once for every runtime; each
// adapter (adapters/*/listen.ts) reports the failures its runtime lets it see.
import type { Logger } from '../logger.ts';

/** At most one log line per this long about failed accepts. */
export const ACCEPT_ERROR_LOG_INTERVAL_MS = 1_000;

/** Go's net/http backoff after a failed accept: 5 ms, doubled each time, at most 1 s. */
export const ACCEPT_BACKOFF = { firstMs: 5, maxMs: 1_000 } as const;

export interface AcceptErrorLog {
  /** Counts a failed accept and logs it, unless a line went out less than a second ago. */
  acceptFailed(error: unknown): void;
  /** Failed accepts since the process started (`lab_accept_errors_total`). */
  readonly count: number;
}

export function createAcceptErrorLog(logger: Logger, workerId: number, now: () => number): AcceptErrorLog {
  let count = 0;
  let loggedAt = -Infinity;
  let unlogged = 0;
  return {
    acceptFailed(error) {
      count++;
      unlogged++;
      const at = now();
      if (at - loggedAt < ACCEPT_ERROR_LOG_INTERVAL_MS) return;
      const more = unlogged > 1 ? ` (${unlogged} failed accepts since the last line)` : '';
      logger.warn('accept_failed', `Cannot accept a connection: ${describe(error)}; serving goes on${more}`, {
        worker_id: workerId,
        accept_errors: count,
      });
      loggedAt = at;
      unlogged = 0;
    },
    get count() {
      return count;
    },
  };
}

/** The delay before the next try after `failures` failed accepts in a row (1 or more). */
export function acceptBackoffMs(failures: number): number {
  return Math.min(ACCEPT_BACKOFF.maxMs, ACCEPT_BACKOFF.firstMs * 2 ** Math.min(failures - 1, 20));
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return 'code' in error && error.code ? `${String(error.code)} ${error.message}` : error.message;
  return String(error);
}
