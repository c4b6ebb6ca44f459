// The scrape protocol end to end in one process: a ScrapeCollector (the supervisor) and SupervisorLinks
// (its children) wired by in-memory channels that deliver asynchronously, as IPC does.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderExposition, sumOf, type MetricFamily } from './exposition.ts';
import { CHILD_DEADLINE_MS, ScrapeCollector, type ChildPort, type SupervisorState } from './scrape-collector.ts';
import type { ProcessSnapshot, ScrapeMessage } from './scrape-protocol.ts';
import { SUPERVISOR_DEADLINE_MS, SupervisorLink } from './supervisor-link.ts';

const requests = (pid: number, count: number): MetricFamily[] => [
  {
    name: 'lab_http_requests_total',
    type: 'counter',
    help: 'Requests answered.',
    samples: [{ labels: { worker_id: String(pid), route: '/' }, value: count }],
  },
  {
    name: 'process_resident_memory_bytes',
    type: 'gauge',
    help: 'Resident memory size in bytes.',
    samples: [{ labels: { worker_id: String(pid) }, value: 1000 + pid }],
  },
];

interface FakeChild {
  pid: number;
  link: SupervisorLink;
  /** A child that is busy (a blocked event loop) reads nothing from its channel. */
  silent: boolean;
}

/** A supervisor with children `pids`, each having answered `counts[i]` requests. */
function cluster(pids: number[], counts: number[], state: Partial<SupervisorState> = {}) {
  const children: FakeChild[] = [];
  const ports = new Map<number, ChildPort>();
  const collector = new ScrapeCollector({
    children: () => children.map((child) => ports.get(child.pid)!),
    state: () => ({
      pid: 1,
      uptimeSeconds: 10,
      restarts: 0,
      gaveUp: false,
      starting: 0,
      desired: pids.length,
      ...state,
    }),
  });
  pids.forEach((pid, i) => {
    let toChild: ((message: unknown) => void) | undefined;
    const child: FakeChild = {
      pid,
      silent: false,
      link: new SupervisorLink(
        {
          send: (message: ScrapeMessage) =>
            queueMicrotask(() => collector.receive(ports.get(pid)!, structuredClone(message))),
          onMessage: (listener) => (toChild = listener),
        },
        (): ProcessSnapshot => ({
          pid,
          uptimeSeconds: 5,
          requestsServed: counts[i]!,
          families: requests(pid, counts[i]!),
        }),
      ),
    };
    ports.set(pid, {
      pid,
      send: (message) => queueMicrotask(() => child.silent || toChild?.(structuredClone(message))),
    });
    children.push(child);
  });
  return { collector, children };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('a scrape under --workers', () => {
  it('holds the series of every child, each labelled with its worker_id, and the supervisor’s own', async () => {
    const { children } = cluster([11, 12, 13], [3, 4, 5], { restarts: 2 });
    const text = await children[1]!.link.metrics();
    for (const pid of [11, 12, 13]) expect(text).toContain(`lab_http_requests_total{worker_id="${pid}",route="/"}`);
    expect(text.match(/^# TYPE lab_http_requests_total counter$/gm)).toHaveLength(1);
    expect(text).toContain('lab_supervisor_restarts_total 2');
    expect(text).toContain('lab_supervisor_children{state="listening"} 3');
    expect(text).toContain('lab_scrape_missing{worker_id="13"} 0');
    expect(text).toContain('process 12 answered this scrape');
  });

  it("holds the balancer's series, per process, when the supervisor balances", async () => {
    const balancer = [
      { pid: 11, handed: 7, busy: 1, open: 2 },
      { pid: 12, handed: 5, busy: 0, open: 1 },
    ];
    const { children } = cluster([11, 12], [3, 4], { balancer });
    const text = await children[0]!.link.metrics();
    expect(text).toContain('lab_balancer_connections_total{worker_id="11"} 7');
    expect(text).toContain('lab_balancer_in_flight{worker_id="12"} 0');
    expect(text).toContain('lab_balancer_open_connections{worker_id="11"} 2');
    const without = await cluster([11, 12], [3, 4]).children[0]!.link.metrics();
    expect(without).not.toContain('lab_balancer_');
  });

  it("counts the balancer's failed accepts as the supervisor's own, in the one lab_accept_errors_total", async () => {
    const text = await cluster([11, 12], [3, 4], { balancer: [], acceptErrors: 3 }).children[0]!.link.metrics();
    expect(text).toContain('lab_accept_errors_total{worker_id="1"} 3');
    expect(text.match(/^# TYPE lab_accept_errors_total /gm)).toHaveLength(1);
  });

  it('the families of the report are merged: each family once, its samples together', async () => {
    const { collector } = cluster([11, 12], [3, 4]);
    const report = await collector.collect();
    const names = report.families.map((family) => family.name);
    expect(new Set(names).size).toBe(names.length);
    expect(sumOf(report.families, 'lab_http_requests_total')).toBe(7);
    expect(report.processes).toEqual([
      { pid: 11, uptimeSeconds: 5, requestsServed: 3 },
      { pid: 12, uptimeSeconds: 5, requestsServed: 4 },
    ]);
  });

  it('leaves out a child that does not answer within the deadline, and says which', async () => {
    vi.useFakeTimers();
    const { children } = cluster([11, 12, 13], [3, 4, 5]);
    children[2]!.silent = true;
    const scrape = children[0]!.link.metrics();
    await vi.advanceTimersByTimeAsync(CHILD_DEADLINE_MS);
    const text = await scrape;
    expect(text).toContain('# Process 13 did not answer within 300 ms: its series are left out of this scrape');
    expect(text).toContain('lab_scrape_missing{worker_id="13"} 1');
    expect(text).not.toContain('worker_id="13",route');
    expect(text).toContain('lab_http_requests_total{worker_id="11",route="/"} 3');
  });

  it('answers at once when every child answered, without waiting for the deadline', async () => {
    vi.useFakeTimers();
    const { collector } = cluster([11, 12], [1, 1]);
    const report = await collector.collect(); // no timer advanced: only the children's answers resolve it
    expect(report.missing).toEqual([]);
  });

  it('a child whose supervisor does not answer gives its own series, and says so', async () => {
    vi.useFakeTimers();
    const link = new SupervisorLink({ send: () => {}, onMessage: () => {} }, () => ({
      pid: 7,
      uptimeSeconds: 1,
      requestsServed: 2,
      families: requests(7, 2),
    }));
    const scrape = link.metrics();
    await vi.advanceTimersByTimeAsync(SUPERVISOR_DEADLINE_MS);
    expect(await scrape).toBe(
      renderExposition(requests(7, 2), [
        `The supervisor did not answer within ${SUPERVISOR_DEADLINE_MS} ms: only the series of process 7, which answered this scrape.`,
      ]),
    );
    const processes = link.processes();
    await vi.advanceTimersByTimeAsync(SUPERVISOR_DEADLINE_MS);
    expect(await processes).toEqual({
      supervisor: null,
      list: [{ pid: 7, uptime_seconds: 1, requests_served: 2 }],
      missing: ['supervisor'],
    });
    expect(SUPERVISOR_DEADLINE_MS).toBeLessThan(1000);
  });

  it('/info lists every process with its uptime and requests served', async () => {
    const { children } = cluster([11, 12], [3, 4], { restarts: 1 });
    expect(await children[0]!.link.processes()).toEqual({
      supervisor: { pid: 1, uptime_seconds: 10, restarts: 1, gave_up: false },
      list: [
        { pid: 11, uptime_seconds: 5, requests_served: 3 },
        { pid: 12, uptime_seconds: 5, requests_served: 4 },
      ],
      missing: [],
    });
  });

  it('ignores messages of other protocols and answers that come after their scrape', async () => {
    const { collector, children } = cluster([11], [1]);
    const port: ChildPort = { pid: 11, send: () => {} };
    collector.receive(port, { cmd: 'NODE_CLUSTER', act: 'online' });
    collector.receive(port, 'hello');
    collector.receive(port, {
      lab: 'snapshot',
      id: 999,
      snapshot: { pid: 11, uptimeSeconds: 0, requestsServed: 0, families: [] },
    });
    expect((await children[0]!.link.processes()).list).toHaveLength(1);
  });
});
