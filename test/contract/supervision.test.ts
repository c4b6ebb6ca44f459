// `--workers N` under supervision, on every runtime that has it (Node's cluster primary, the Bun and
// Deno process supervisors): N processes behind one port, a crashed one replaced, none left behind
// however the supervisor ends (SIGTERM, or SIGKILL with no chance to clean up), and a supervisor
// whose processes cannot start gives up with a non-zero exit instead of spinning. And one GET /metrics
// or /info answers for every process, through the supervisor.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../tools/harness/free-port.ts';
import { post, request } from '../../tools/harness/http-client.ts';
import { isAlive, ServerProcess, stopAllServers } from '../../tools/harness/server-process.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { REPO_ROOT } from '../../tools/harness/repo-root.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';
import { parseExposition, select, total, type ParsedSample } from '../support/prometheus-text.ts';

const runtime = runtimeUnderTest();
const WORKERS = 4;
/**
 * Requests on new connections. Node's primary hands them out round-robin; with reusePort the kernel
 * hashes each to a process, so one process getting none of them has a probability of 4 × (3/4)^64,
 * about 4e-8.
 */
const SPREAD_REQUESTS = 64;
/** A load client's patience: far above the 20 ms each of its requests takes. */
const CLIENT_TIMEOUT_MS = 5_000;

afterAll(stopAllServers);

/** The pids of the processes serving the port now, as they answer GET / (each on a new connection). */
async function answeringPids(server: StartedServer): Promise<Set<number>> {
  const responses = await Promise.all(Array.from({ length: SPREAD_REQUESTS }, () => request(`${server.url}/`)));
  return new Set(responses.map((response) => (response.json as { worker_id: number }).worker_id));
}

/** The children the supervisor reported, in order. */
function startedChildren(server: ServerProcess): number[] {
  return server.logs.filter((entry) => entry.event === 'worker_started').map((entry) => entry.child as number);
}

const alive = (pids: Iterable<number>): number[] => [...pids].filter(isAlive);

/**
 * Clients that keep sending short requests, each on a new connection, until stopped: steady load.
 * Each has at most one request in flight, so at most `clients` requests can be caught by a crash.
 * Each gives up after a while, as real clients do: a connection that node:cluster's primary had just
 * handed to the worker as it died is never answered nor closed (seen here), and counts as lost.
 */
function steadyLoad(url: string, clients: number): { stop: () => Promise<{ ok: number; failed: number }> } {
  let running = true;
  const counts = { ok: 0, failed: 0 };
  const loops = Array.from({ length: clients }, async () => {
    while (running) {
      const outcome = await request(`${url}/delay?mode=async&ms=20`, {
        method: 'POST',
        signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      }).then(
        (response) => response.status === 200,
        () => false,
      );
      counts[outcome ? 'ok' : 'failed']++;
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return counts;
    },
  };
}

describe(`--workers ${WORKERS} supervision on ${runtime.name}`, () => {
  it('answers from N child processes, announces server_ready once, and SIGTERM leaves none behind', async () => {
    const server = await startRuntime(runtime, { workers: WORKERS });
    const children = startedChildren(server.process);
    expect(children).toHaveLength(WORKERS);
    // server_ready comes from the supervisor only, once all N listen; the children say nothing of it.
    const ready = server.process.logs.filter((entry) => entry.event === 'server_ready');
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({ worker_id: server.process.pid, processes: WORKERS });
    expect(server.process.logs.indexOf(ready[0]!)).toBeGreaterThan(
      server.process.logs.findLastIndex((entry) => entry.event === 'worker_started'),
    );

    expect(await answeringPids(server)).toEqual(new Set(children)); // the supervisor serves nothing itself
    const info = (await request(`${server.url}/info`)).json as { processes: { count: number; balancing: string } };
    expect(info.processes.count).toBe(WORKERS);

    // Not server.process.stop(): its clean-up kills the whole process group, which would hide a leak.
    server.process.child.kill('SIGTERM');
    expect(await server.process.exited).toEqual({ code: 0, signal: null });
    // The supervisor exits only after its last child: nothing may be left at this point.
    expect(alive(children)).toEqual([]);
  });

  it('replaces a child killed with SIGKILL under load, losing only requests in flight on it', async () => {
    const server = await startRuntime(runtime, { workers: WORKERS });
    const [killed, ...others] = startedChildren(server.process);
    const load = steadyLoad(server.url, 4);
    // Load reaches every process before the kill, so the killed one has requests to lose.
    await server.process.waitForLog((entry) => entry.event === 'response_sent' && entry.worker_id === killed);
    process.kill(killed!, 'SIGKILL');
    const replacement = (
      await server.process.waitForLog(
        (entry) =>
          entry.event === 'worker_started' && entry.child !== killed && !others.includes(entry.child as number),
      )
    ).child as number;
    // Let the replacement serve under the same load before the load stops.
    await server.process.waitForLog((entry) => entry.event === 'response_sent' && entry.worker_id === replacement);
    const { ok, failed } = await load.stop();
    expect(server.process.logs.some((entry) => entry.event === 'worker_exited' && entry.child === killed)).toBe(true);
    expect(ok).toBeGreaterThan(0);
    expect(failed).toBeLessThanOrEqual(4); // at most one in-flight request per client
    expect(await answeringPids(server)).toEqual(new Set([...others, replacement]));
    expect((await server.process.stop()).code).toBe(0);
  });

  it('its children stop by themselves when the supervisor is killed with SIGKILL', async () => {
    const server = await startRuntime(runtime, { workers: WORKERS });
    const children = startedChildren(server.process);
    // SIGKILL: the supervisor cannot forward anything. Each child notices it is gone and stops.
    server.process.child.kill('SIGKILL');
    await server.process.exited;
    await vi.waitFor(() => expect(alive(children)).toEqual([]), { timeout: 10_000, interval: 50 });
  });

  it('gives up and exits non-zero when its processes keep failing to start, leaving none behind', async () => {
    // A listener without SO_REUSEPORT holds the port: under --balance kernel, where each child binds
    // the port itself, every child's bind fails with EADDRINUSE. (Under the default least-busy the
    // supervisor binds it first and fails alone: test/contract/balance.test.ts.)
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const { command, args } = runtime.command(port, { workers: 2, balance: 'kernel' });
      const supervisor = new ServerProcess({ command, args, isReady: () => false });
      expect((await supervisor.exited).code).toBe(1);
      expect(supervisor.count('server_ready')).toBe(0);
      const children = supervisor.logs
        .filter((entry) => entry.event === 'worker_exited')
        .map((entry) => entry.child as number);
      expect(children.length).toBeGreaterThanOrEqual(2);
      expect(alive(children)).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

/** Processes for the scrape tests: few enough to start fast, more than two so that one can be left out. */
const SCRAPE_WORKERS = 3;
/** GET / sent before the first scrape, each on a new connection, so that they spread over the processes. */
const SENT = 30;

/** One scrape, checked against the text format's rules, as samples. */
async function scrape(
  server: StartedServer,
  timeoutMs = CLIENT_TIMEOUT_MS,
): Promise<{ samples: ParsedSample[]; comments: string[]; text: string }> {
  const response = await request(`${server.url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  expect(response.status).toBe(200);
  const { samples, comments, problems } = parseExposition(response.text);
  expect(problems, response.text).toEqual([]);
  return { samples, comments, text: response.text };
}

/** The worker_ids of the processes whose series a scrape holds. */
const workerIds = (samples: ParsedSample[]): Set<number> =>
  new Set(select(samples, 'lab_http_requests_in_flight').map((sample) => Number(sample.labels.worker_id)));

/** GET / answered by each process in a scrape, by worker_id. */
function rootRequests(samples: ParsedSample[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const sample of select(samples, 'lab_http_requests_total', { route: '/' })) {
    const pid = Number(sample.labels.worker_id);
    counts.set(pid, (counts.get(pid) ?? 0) + sample.value);
  }
  return counts;
}

interface ProcessesInfo {
  count: number;
  supervisor: { pid: number; uptime_seconds: number; restarts: number; gave_up: boolean } | null;
  list: { pid: number; uptime_seconds: number; requests_served: number }[];
  missing: (number | string)[];
}

describe(`GET /metrics and /info with --workers ${SCRAPE_WORKERS} on ${runtime.name}`, () => {
  it('one scrape holds every process and adds up to what was sent; after a SIGKILL, the live processes only and one restart', async () => {
    const server = await startRuntime(runtime, { workers: SCRAPE_WORKERS });
    const children = startedChildren(server.process);
    // The only requests before the first scrape: startRuntime waits on the server_ready line, not on HTTP.
    const answers = await Promise.all(Array.from({ length: SENT }, () => request(`${server.url}/`)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(SENT).fill(200));
    const sentTo = new Map<number, number>();
    for (const answer of answers) {
      const pid = (answer.json as { worker_id: number }).worker_id;
      sentTo.set(pid, (sentTo.get(pid) ?? 0) + 1);
    }

    const first = await scrape(server);
    expect(workerIds(first.samples)).toEqual(new Set(children));
    // Each process counted exactly the GET / it answered (each answer names its worker_id)...
    expect(rootRequests(first.samples)).toEqual(sentTo);
    // ...and nothing else: the scrape itself is still in flight on the process answering it, so no
    // process has counted it yet, and it is the one request in flight across all of them.
    expect(total(first.samples, 'lab_http_requests_total')).toBe(SENT);
    expect(total(first.samples, 'lab_http_requests_in_flight')).toBe(1);
    expect(select(first.samples, 'lab_scrape_missing').map((sample) => sample.value)).toEqual([0, 0, 0]);
    expect(total(first.samples, 'lab_supervisor_restarts_total')).toBe(0);
    expect(total(first.samples, 'lab_supervisor_children', { state: 'listening' })).toBe(SCRAPE_WORKERS);
    for (const name of ['process_resident_memory_bytes', 'process_cpu_seconds_total', 'process_start_time_seconds']) {
      expect(
        select(first.samples, name)
          .map((sample) => Number(sample.labels.worker_id))
          .sort(),
      ).toEqual([...children].sort());
    }
    expect(
      Math.min(...select(first.samples, 'process_resident_memory_bytes').map((sample) => sample.value)),
    ).toBeGreaterThan(1_000_000);

    const [victim, ...survivors] = children as [number, ...number[]];
    process.kill(victim, 'SIGKILL');
    // The condition: a scrape that holds SCRAPE_WORKERS processes again, the victim not among them (so
    // its replacement listens). Each poll is a request of its own on a new connection, given up after
    // a while: node:cluster's primary may hand one to the victim as it dies, and that one is never answered.
    let second: Awaited<ReturnType<typeof scrape>> | undefined;
    await vi.waitFor(
      async () => {
        const polled = await scrape(server, 2_000);
        const ids = workerIds(polled.samples);
        const why = `${polled.text}\nserver output:\n${server.process.tail()}`;
        expect(ids.has(victim), why).toBe(false);
        expect(ids.size, why).toBe(SCRAPE_WORKERS);
        second = polled;
      },
      { timeout: 20_000, interval: 50 },
    );
    const samples = second!.samples;
    const replacement = [...workerIds(samples)].find((pid) => !children.includes(pid))!;
    expect(workerIds(samples)).toEqual(new Set([...survivors, replacement]));
    // The victim's counters are gone, not carried over: the survivors' are as they were, the
    // replacement's start from nothing, and the supervisor counts one restart.
    const expected = new Map(survivors.filter((pid) => sentTo.has(pid)).map((pid) => [pid, sentTo.get(pid)!]));
    expect(rootRequests(samples)).toEqual(expected);
    expect(total(samples, 'lab_http_requests_total', { route: '/' })).toBe(SENT - (sentTo.get(victim) ?? 0));
    expect(total(samples, 'lab_supervisor_restarts_total')).toBe(1);
    expect(select(samples, 'lab_scrape_missing').map((sample) => sample.value)).toEqual([0, 0, 0]);

    // /info lists the same processes, through the same collection.
    const info = (await request(`${server.url}/info`)).json as { processes: ProcessesInfo };
    expect(info.processes).toMatchObject({
      count: SCRAPE_WORKERS,
      missing: [],
      supervisor: { pid: server.process.pid, restarts: 1, gave_up: false },
    });
    expect(new Set(info.processes.list.map((entry) => entry.pid))).toEqual(new Set([...survivors, replacement]));
    const uptime = (pid: number): number => info.processes.list.find((entry) => entry.pid === pid)!.uptime_seconds;
    for (const pid of survivors) expect(uptime(pid)).toBeGreaterThan(uptime(replacement));
    for (const pid of survivors)
      expect(info.processes.list.find((entry) => entry.pid === pid)!.requests_served).toBeGreaterThanOrEqual(
        sentTo.get(pid) ?? 0,
      );
    expect((await server.process.stop()).code).toBe(0);
  });

  it('leaves out a process that does not answer in time, says which, and still answers within a second', async () => {
    const server = await startRuntime(runtime, { workers: SCRAPE_WORKERS });
    // A blocking request holds one process's event loop: it reads no IPC message until it is done.
    const blocker = post(`${server.url}/delay?mode=blocking&ms=3000`);
    const busy = (
      await server.process.waitForLog((entry) => entry.event === 'work_started' && entry.mode === 'blocking')
    ).worker_id as number;
    // Scrapes on new connections: those that reach the busy process wait for it; the others (all but
    // (1/3)^10 of the time, at least one) answer without it.
    const scrapes = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const sentAt = Date.now();
        const response = await request(`${server.url}/metrics`);
        return { ...parseExposition(response.text), elapsedMs: Date.now() - sentAt };
      }),
    );
    const withoutBusy = scrapes.filter(
      (s) => select(s.samples, 'lab_scrape_missing', { worker_id: String(busy) })[0]?.value === 1,
    );
    expect(withoutBusy.length).toBeGreaterThan(0);
    for (const s of withoutBusy) {
      expect(s.problems).toEqual([]);
      expect(s.elapsedMs).toBeLessThan(1_000);
      expect(s.comments).toContain(
        `Process ${busy} did not answer within 300 ms: its series are left out of this scrape (lab_scrape_missing).`,
      );
      expect(workerIds(s.samples)).toEqual(new Set(startedChildren(server.process).filter((pid) => pid !== busy)));
      expect(select(s.samples, 'lab_scrape_missing').filter((sample) => sample.value === 0)).toHaveLength(
        SCRAPE_WORKERS - 1,
      );
    }
    expect((await blocker).status).toBe(200);
    expect((await server.process.stop()).code).toBe(0);
  });

  it('replaces a process killed while a scrape waits on it (its scrape messages unread)', async () => {
    const server = await startRuntime(runtime, { workers: SCRAPE_WORKERS });
    // Every client gives up after a while: the requests on the process that is killed are lost, and on
    // node:cluster a connection the primary handed to it is never answered nor closed. The scrapes that
    // reach the other processes are answered within a second.
    const signal = AbortSignal.timeout(4_000);
    const blocker = request(`${server.url}/delay?mode=blocking&ms=5000`, { method: 'POST', signal }).catch(
      (error: unknown) => error,
    );
    const busy = (
      await server.process.waitForLog((entry) => entry.event === 'work_started' && entry.mode === 'blocking')
    ).worker_id as number;
    // Scrapes ask the busy process for its series; it reads none of those messages. Once one scrape
    // has been answered without it, at least one message lies unread in its channel.
    const scrapes = Array.from({ length: 10 }, () =>
      request(`${server.url}/metrics`, { signal }).catch((error: unknown) => error),
    );
    await Promise.any(
      scrapes.map(async (pending) => {
        const response = await pending;
        if (!(
          typeof response === 'object' &&
          response !== null &&
          'text' in response &&
          String(response.text).includes(`lab_scrape_missing{worker_id="${busy}"} 1`)
        ))
          throw new Error('not answered without the busy process');
      }),
    );
    process.kill(busy, 'SIGKILL');
    // The supervisor must see the death and replace the process as it does any other.
    await server.process.waitForLog((entry) => entry.event === 'worker_exited' && entry.child === busy);
    await server.process.waitForLog(
      (entry) =>
        entry.event === 'worker_started' &&
        !startedChildren(server.process)
          .slice(0, SCRAPE_WORKERS)
          .includes(entry.child as number),
    );
    await Promise.all([blocker, ...scrapes]);
    expect((await server.process.stop()).code).toBe(0);
  });
});

/**
 * The processes whose parent is `pid` and that are its server processes, from /proc, whichever thread
 * of the supervisor started them: their environment carries node:cluster's or the supervisor's mark,
 * which a process forked but not yet running its program (tsx's esbuild, too) does not have.
 */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The fields after the command name, which is in parentheses and may hold spaces.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (environ.some((line) => line.startsWith('NODE_UNIQUE_ID=') || line === 'LAB_SUPERVISED_CHILD=1'))
        found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe(`a process that hangs at start under --workers on ${runtime.name}`, () => {
  it('is killed after --startup-timeout and replaced, and the server then becomes ready', async () => {
    const { command, args } = runtime.command(await freePort(), { workers: 2, startupTimeoutMs: 3_000 });
    const server = new ServerProcess({ command, args, cwd: REPO_ROOT, isReady: () => false });
    // Stopped (SIGSTOP) as soon as it exists, long before it could listen: a process hung at start.
    let hung: number | undefined;
    while (hung === undefined && server.isRunning) {
      hung = childrenOf(server.pid)[0];
      if (hung === undefined) await new Promise((resolve) => setImmediate(resolve));
    }
    process.kill(hung!, 'SIGSTOP');
    await server.waitForLog((entry) => entry.event === 'worker_start_timeout' && entry.child === hung, 30_000);
    await server.waitForLog((entry) => entry.event === 'worker_exited' && entry.child === hung, 30_000);
    const ready = await server.waitForLog((entry) => entry.event === 'server_ready', 60_000);
    expect(isAlive(hung!)).toBe(false);
    const answer = await request(`${String(ready.url)}/`);
    expect(answer.status).toBe(200);
    expect((answer.json as { worker_id: number }).worker_id).not.toBe(hung);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});
