// The messages of a scrape under `--workers N`, between a supervisor and its child processes, over
// the IPC channel each child has to its supervisor (node:cluster's, or a node:child_process 'ipc'
// channel: Node, Bun and Deno have both). A scrape goes:
//
//   child A (got GET /metrics or /info)  --scrape-->   supervisor
//   supervisor                           --snapshot?--> every listening child (A included)
//   each child                           --snapshot-->  supervisor   (those that answer in time)
//   supervisor                           --scraped-->   child A       (everything merged)
//
// Messages are plain JSON-safe objects (the channels serialize them as JSON), tagged with `lab` so
// that they are told apart from anything else on the channel (node:cluster's own messages).
import type { MetricFamily } from './exposition.ts';

/** One process's own view, as it answers a `snapshot?`. */
export interface ProcessSnapshot {
  pid: number;
  uptimeSeconds: number;
  /** Requests this process has answered (the one being answered now is not among them). */
  requestsServed: number;
  /** Its series, each sample labelled with its worker_id. */
  families: MetricFamily[];
}

export interface SupervisorSummary {
  pid: number;
  uptimeSeconds: number;
  /** Children started to replace one that died. */
  restarts: number;
  /** Always false in an answer: a supervisor that gives up stops its children and exits. */
  gaveUp: boolean;
}

/** What the supervisor collected for one scrape. */
export interface ClusterReport {
  supervisor: SupervisorSummary;
  /** The processes that answered, in the supervisor's order. */
  processes: { pid: number; uptimeSeconds: number; requestsServed: number }[];
  /** Listening children that did not answer within the deadline: left out of this scrape. */
  missing: number[];
  deadlineMs: number;
  /** Every answering process's families merged, then lab_scrape_missing and the supervisor's own. */
  families: MetricFamily[];
}

export type ScrapeMessage =
  | { lab: 'scrape'; id: number }
  | { lab: 'scraped'; id: number; report: ClusterReport }
  | { lab: 'snapshot?'; id: number }
  | { lab: 'snapshot'; id: number; snapshot: ProcessSnapshot };

const KINDS = new Set(['scrape', 'scraped', 'snapshot?', 'snapshot']);

/** True for a message of this protocol; anything else on the channel is someone else's. */
export function isScrapeMessage(message: unknown): message is ScrapeMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { lab, id } = message as { lab?: unknown; id?: unknown };
  return typeof lab === 'string' && KINDS.has(lab) && typeof id === 'number';
}
