// `--workers N` under supervision, on every runtime that has it (Node's cluster primary, the Bun and
// Deno process supervisors): N processes behind one port, a crashed one replaced, none left behind
// however the supervisor ends (SIGTERM, or SIGKILL with no chance to clean up), and a supervisor
// whose processes cannot start gives up with a non-zero exit instead of spinning.
import { createServer } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../tools/harness/free-port.ts';
import { request } from '../../tools/harness/http-client.ts';
import { isAlive, ServerProcess, stopAllServers } from '../../tools/harness/server-process.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';

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
      const outcome = await request(`${url}/delay?mode=async&ms=20`, { method: 'POST', signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS) }).then(
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
    expect(server.process.logs.indexOf(ready[0]!)).toBeGreaterThan(server.process.logs.findLastIndex((entry) => entry.event === 'worker_started'));

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
    const replacement = (await server.process.waitForLog((entry) => entry.event === 'worker_started' && entry.child !== killed && !others.includes(entry.child as number))).child as number;
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
    // A listener without SO_REUSEPORT holds the port: every child's bind fails with EADDRINUSE.
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const { command, args } = runtime.command(port, { workers: 2 });
      const supervisor = new ServerProcess({ command, args, isReady: () => false });
      expect((await supervisor.exited).code).toBe(1);
      expect(supervisor.count('server_ready')).toBe(0);
      const children = supervisor.logs.filter((entry) => entry.event === 'worker_exited').map((entry) => entry.child as number);
      expect(children.length).toBeGreaterThanOrEqual(2);
      expect(alive(children)).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
