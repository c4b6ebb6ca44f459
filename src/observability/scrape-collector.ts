// The supervisor's half of a scrape under `--workers N` (./scrape-protocol.ts): asked by one child,
// it asks every listening child for its own series, waits for them at most a short deadline, merges
// what came, adds its own series, and answers the child that asked. As prom-client's
// AggregatorRegistry does over node:cluster's IPC, but for node:cluster (Node) and for the SO_REUSEPORT
// supervisor's node:child_process IPC (Bun, Deno) alike: a child is anything with a pid and a send().
//
// Only the processes alive now are asked, so the series of a child that died are gone from the next
// scrape (its counters are not carried over into a live total); lab_supervisor_restarts_total rises.
import { mergeFamilies, type MetricFamily, type Sample } from './exposition.ts';
import {
  isScrapeMessage,
  type ClusterReport,
  type ProcessSnapshot,
  type ScrapeMessage,
  type SupervisorSummary,
} from './scrape-protocol.ts';

/** How long the supervisor waits for each child's series: a child that has not answered by then is left out. */
export const CHILD_DEADLINE_MS = 300;

/** A child process as the supervisor reaches it. send() must not throw (a child that died just now). */
export interface ChildPort {
  readonly pid: number;
  send(message: ScrapeMessage): void;
}

export interface SupervisorState extends SupervisorSummary {
  /** Children spawned that do not listen yet. */
  starting: number;
  /** Children the supervisor keeps alive: --workers. */
  desired: number;
  /** The supervisor's balancer, when it hands out connections itself (--balance least-busy, round-robin). */
  balancer?: readonly BalancerChildState[];
  /** Connections the supervisor's balancer failed to accept (EMFILE…): part of lab_accept_errors_total. */
  acceptErrors?: number;
}

/** What the balancer carries to one child. */
export interface BalancerChildState {
  pid: number;
  /** Connections handed to it since it joined. */
  handed: number;
  /** Its connections with a request in flight (or not yet answered). */
  busy: number;
  /** Its connections open now, busy or idle. */
  open: number;
}

export interface ScrapeCollectorOptions {
  /** The children that listen now: the ones a scrape asks. */
  children: () => ChildPort[];
  state: () => SupervisorState;
  deadlineMs?: number;
}

interface Pending {
  answers: Map<number, ProcessSnapshot>;
  expected: number;
  finish: () => void;
}

export class ScrapeCollector {
  readonly #options: ScrapeCollectorOptions;
  readonly #pending = new Map<number, Pending>();
  #lastId = 0;

  constructor(options: ScrapeCollectorOptions) {
    this.#options = options;
  }

  /** Every message a child sends comes here; those of other protocols are ignored. */
  receive(from: ChildPort, message: unknown): void {
    if (!isScrapeMessage(message)) return;
    if (message.lab === 'scrape') {
      void this.collect().then((report) => from.send({ lab: 'scraped', id: message.id, report }));
    } else if (message.lab === 'snapshot') {
      const pending = this.#pending.get(message.id);
      if (!pending) return; // too late: that scrape has been answered without it
      pending.answers.set(from.pid, message.snapshot);
      if (pending.answers.size >= pending.expected) pending.finish();
    }
  }

  /** Asks every listening child and resolves when all answered or the deadline passed, whichever is first. */
  async collect(): Promise<ClusterReport> {
    const deadlineMs = this.#options.deadlineMs ?? CHILD_DEADLINE_MS;
    const children = this.#options.children();
    const id = ++this.#lastId;
    const answers = new Map<number, ProcessSnapshot>();
    if (children.length > 0) {
      await new Promise<void>((resolve) => {
        const finish = (): void => {
          clearTimeout(timer);
          this.#pending.delete(id);
          resolve();
        };
        const timer = setTimeout(finish, deadlineMs);
        this.#pending.set(id, { answers, expected: children.length, finish });
        for (const child of children) child.send({ lab: 'snapshot?', id });
      });
    }
    // A child's answer is read as of now: it may have died since it answered, but its series were true then.
    const answered = children.filter((child) => answers.has(child.pid));
    const missing = children.filter((child) => !answers.has(child.pid)).map((child) => child.pid);
    const snapshots = answered.map((child) => withWorkerId(answers.get(child.pid)!, child.pid));
    const state = this.#options.state();
    const { pid, uptimeSeconds, restarts, gaveUp } = state;
    return {
      supervisor: { pid, uptimeSeconds, restarts, gaveUp },
      processes: snapshots.map((snapshot) => ({
        pid: snapshot.pid,
        uptimeSeconds: snapshot.uptimeSeconds,
        requestsServed: snapshot.requestsServed,
      })),
      missing,
      deadlineMs,
      families: mergeFamilies([
        ...snapshots.map((snapshot) => snapshot.families),
        scrapeFamilies(children, missing),
        supervisorFamilies(state, children.length),
      ]),
    };
  }
}

/** The child's series, each sample labelled with the pid the supervisor knows it by. */
function withWorkerId(snapshot: ProcessSnapshot, pid: number): ProcessSnapshot {
  const label = (sample: Sample): Sample => ({
    labels: { ...sample.labels, worker_id: String(pid) },
    value: sample.value,
  });
  return {
    ...snapshot,
    pid,
    families: snapshot.families.map((family) => ({ ...family, samples: family.samples.map(label) })),
  };
}

function scrapeFamilies(children: ChildPort[], missing: number[]): MetricFamily[] {
  return [
    {
      name: 'lab_scrape_missing',
      type: 'gauge',
      help: `1 for a listening process that did not answer this scrape in time (its series are left out), 0 for one that did.`,
      samples: children.map((child) => ({
        labels: { worker_id: String(child.pid) },
        value: missing.includes(child.pid) ? 1 : 0,
      })),
    },
  ];
}

function supervisorFamilies(state: SupervisorState, listening: number): MetricFamily[] {
  const gauge = (name: string, help: string, samples: Sample[]): MetricFamily => ({
    name,
    type: 'gauge',
    help,
    samples,
  });
  return [
    {
      name: 'lab_supervisor_restarts_total',
      type: 'counter',
      help: 'Child processes the supervisor started to replace one that died.',
      samples: [{ labels: {}, value: state.restarts }],
    },
    gauge('lab_supervisor_children', 'Child processes alive, by state: listening (serving the port) or starting.', [
      { labels: { state: 'listening' }, value: listening },
      { labels: { state: 'starting' }, value: state.starting },
    ]),
    gauge('lab_supervisor_children_desired', 'Child processes the supervisor keeps alive (--workers).', [
      { labels: {}, value: state.desired },
    ]),
    ...balancerFamilies(state.balancer),
    ...(state.acceptErrors === undefined
      ? []
      : [
          {
            name: 'lab_accept_errors_total',
            type: 'counter' as const,
            help: 'Connections the process failed to accept (EMFILE, ENFILE, ENOMEM).',
            samples: [{ labels: { worker_id: String(state.pid) }, value: state.acceptErrors }],
          },
        ]),
    gauge(
      'lab_supervisor_gave_up',
      '1 once the supervisor gave up restarting children that keep dying; it then stops them all and exits, so a scrape that is answered shows 0.',
      [{ labels: {}, value: state.gaveUp ? 1 : 0 }],
    ),
  ];
}

function balancerFamilies(balancer: readonly BalancerChildState[] | undefined): MetricFamily[] {
  if (!balancer) return [];
  const per = (value: (child: BalancerChildState) => number): Sample[] =>
    balancer.map((child) => ({ labels: { worker_id: String(child.pid) }, value: value(child) }));
  return [
    {
      name: 'lab_balancer_connections_total',
      type: 'counter',
      help: "Connections the supervisor's balancer handed to each process since it joined.",
      samples: per((child) => child.handed),
    },
    {
      name: 'lab_balancer_in_flight',
      type: 'gauge',
      help: "Connections with a request in flight (or not yet answered) that the supervisor's balancer carries to each process.",
      samples: per((child) => child.busy),
    },
    {
      name: 'lab_balancer_open_connections',
      type: 'gauge',
      help: "Connections, busy or idle, that the supervisor's balancer carries to each process.",
      samples: per((child) => child.open),
    },
  ];
}
