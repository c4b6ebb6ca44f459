// A supervised child's half of a scrape under `--workers N` (./scrape-protocol.ts): it answers its
// supervisor's `snapshot?` with its own series, and answers GET /metrics and GET /info for every
// process by asking the supervisor to collect them. A child whose supervisor does not answer in time
// answers with its own series only, and says so.
import { renderExposition } from './exposition.ts';
import { isScrapeMessage, type ClusterReport, type ProcessSnapshot, type ScrapeMessage } from './scrape-protocol.ts';
import { CHILD_DEADLINE_MS } from './scrape-collector.ts';

/**
 * How long a child waits for its supervisor's answer: the supervisor's own deadline for the children
 * plus a margin for the messages, and under a second, so that a scrape is always answered within one.
 */
export const SUPERVISOR_DEADLINE_MS = CHILD_DEADLINE_MS + 500;

/** The channel from a child to its supervisor (process.send and process.on('message') in each runtime). */
export interface SupervisorChannel {
  /** Must not throw: a message to a supervisor that is gone is dropped. */
  send(message: ScrapeMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

/** What the app asks under --workers: GET /metrics and the process list of GET /info, for every process. */
export interface ClusterView {
  /** The exposition text of every live process and of the supervisor. */
  metrics(): Promise<string>;
  /** Fields that GET /info adds to `processes`: the supervisor, each process, and those left out. */
  processes(): Promise<ProcessesReport>;
}

export interface ProcessesReport {
  supervisor: { pid: number; uptime_seconds: number; restarts: number; gave_up: boolean } | null;
  list: { pid: number; uptime_seconds: number; requests_served: number }[];
  /** Pids of listening processes that did not answer in time; "supervisor" when the supervisor did not. */
  missing: (number | 'supervisor')[];
}

export class SupervisorLink implements ClusterView {
  readonly #channel: SupervisorChannel;
  readonly #snapshot: () => ProcessSnapshot;
  readonly #deadlineMs: number;
  readonly #waiting = new Map<number, (report: ClusterReport) => void>();
  #lastId = 0;

  /** `snapshot` gives this process's own series and figures when the supervisor asks for them. */
  constructor(channel: SupervisorChannel, snapshot: () => ProcessSnapshot, deadlineMs = SUPERVISOR_DEADLINE_MS) {
    this.#channel = channel;
    this.#snapshot = snapshot;
    this.#deadlineMs = deadlineMs;
    channel.onMessage((message) => this.#receive(message));
  }

  #receive(message: unknown): void {
    if (!isScrapeMessage(message)) return;
    if (message.lab === 'snapshot?') {
      this.#channel.send({ lab: 'snapshot', id: message.id, snapshot: this.#snapshot() });
    } else if (message.lab === 'scraped') {
      this.#waiting.get(message.id)?.(message.report);
    }
  }

  /** Everything the supervisor collected, or undefined if it did not answer within the deadline. */
  collect(): Promise<ClusterReport | undefined> {
    const id = ++this.#lastId;
    return new Promise((resolve) => {
      const done = (report: ClusterReport | undefined): void => {
        clearTimeout(timer);
        this.#waiting.delete(id);
        resolve(report);
      };
      const timer = setTimeout(() => done(undefined), this.#deadlineMs);
      this.#waiting.set(id, done);
      this.#channel.send({ lab: 'scrape', id });
    });
  }

  async metrics(): Promise<string> {
    const report = await this.collect();
    const self = this.#snapshot();
    if (!report) {
      return renderExposition(self.families, [
        `The supervisor did not answer within ${this.#deadlineMs} ms: only the series of process ${self.pid}, which answered this scrape.`,
      ]);
    }
    const comments = [
      `Concurrency Lab --workers: the series of ${report.processes.length} processes, collected by supervisor ${report.supervisor.pid}; process ${self.pid} answered this scrape.`,
      ...report.missing.map(
        (pid) =>
          `Process ${pid} did not answer within ${report.deadlineMs} ms: its series are left out of this scrape (lab_scrape_missing).`,
      ),
    ];
    return renderExposition(report.families, comments);
  }

  async processes(): Promise<ProcessesReport> {
    const report = await this.collect();
    if (!report) {
      const self = this.#snapshot();
      return {
        supervisor: null,
        list: [{ pid: self.pid, uptime_seconds: toMs(self.uptimeSeconds), requests_served: self.requestsServed }],
        missing: ['supervisor'],
      };
    }
    const { supervisor } = report;
    return {
      supervisor: {
        pid: supervisor.pid,
        uptime_seconds: toMs(supervisor.uptimeSeconds),
        restarts: supervisor.restarts,
        gave_up: supervisor.gaveUp,
      },
      list: report.processes.map((p) => ({
        pid: p.pid,
        uptime_seconds: toMs(p.uptimeSeconds),
        requests_served: p.requestsServed,
      })),
      missing: report.missing,
    };
  }
}

/** Seconds to the millisecond: enough for a person reading /info. */
function toMs(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
