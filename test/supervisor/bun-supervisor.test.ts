// `--workers 4` on Bun: four processes behind one port, kept alive by adapters/bun/process-supervisor.ts,
// and none left behind however the supervisor ends (SIGTERM, or SIGKILL with no chance to clean up).
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RUNTIMES } from '../contract/runtimes.ts';
import { startRuntime, type StartedServer } from '../contract/start.ts';
import { createServer } from 'node:net';
import { freePort } from '../support/free-port.ts';
import { request } from '../support/http-client.ts';
import { isAlive, ServerProcess, stopAllServers } from '../support/server-process.ts';

const bun = RUNTIMES.bun!;
const WORKERS = 4;
/**
 * Requests on new connections; the kernel hashes each to a process, so one process getting none
 * of them has a probability of 4 × (3/4)^64, about 4e-8.
 */
const SPREAD_REQUESTS = 64;

const started: ServerProcess[] = [];
afterAll(async () => {
  await stopAllServers();
  // stopAllServers skips a supervisor that already exited; if a test failed because its children
  // outlived it, they are still in its process group.
  for (const server of started) server.killGroup();
});

async function startWorkers(): Promise<StartedServer> {
  const server = await startRuntime(bun, { workers: WORKERS });
  started.push(server.process);
  return server;
}

/** The pids of the processes serving the port now, as they answer GET / (each on a new connection). */
async function answeringPids(server: StartedServer): Promise<Set<number>> {
  const responses = await Promise.all(Array.from({ length: SPREAD_REQUESTS }, () => request(`${server.url}/`)));
  return new Set(responses.map((response) => (response.json as { worker_id: number }).worker_id));
}

/** The children the supervisor reported listening, in order. */
function listeningChildren(server: StartedServer): number[] {
  return server.process.logs.filter((entry) => entry.event === 'worker_started').map((entry) => entry.child as number);
}

const alive = (pids: Iterable<number>): number[] => [...pids].filter(isAlive);

describe(`--workers ${WORKERS} on bun`, () => {
  it('answers from four child processes, announces server_ready once, and SIGTERM leaves none behind', async () => {
    const server = await startWorkers();
    const children = listeningChildren(server);
    expect(children).toHaveLength(WORKERS);
    // server_ready comes from the supervisor only, once all four listen; the children say nothing of it.
    const ready = server.process.logs.filter((entry) => entry.event === 'server_ready');
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatchObject({ worker_id: server.process.pid, processes: WORKERS });
    expect(server.process.logs.indexOf(ready[0]!)).toBeGreaterThan(server.process.logs.findLastIndex((entry) => entry.event === 'worker_started'));

    expect(await answeringPids(server)).toEqual(new Set(children));
    const info = (await request(`${server.url}/info`)).json as { processes: { count: number; balancing: string } };
    expect(info.processes.count).toBe(WORKERS);
    expect(info.processes.balancing).toMatch(/SO_REUSEPORT/);

    server.process.child.kill('SIGTERM');
    expect(await server.process.exited).toEqual({ code: 0, signal: null });
    // The supervisor exits only after its last child: nothing may be left at this point.
    expect(alive(children)).toEqual([]);
  });

  it('replaces a child killed with SIGKILL, and its children stop when it is itself killed with SIGKILL', async () => {
    const server = await startWorkers();
    const [killed, ...survivors] = listeningChildren(server);
    process.kill(killed!, 'SIGKILL');
    const replacement = (await server.process.waitForLog((entry) => entry.event === 'worker_started' && entry.child !== killed && !survivors.includes(entry.child as number))).child as number;
    expect(server.process.logs.some((entry) => entry.event === 'worker_exited' && entry.child === killed)).toBe(true);
    expect(await answeringPids(server)).toEqual(new Set([...survivors, replacement]));

    // SIGKILL: the supervisor cannot forward anything. Each child sees EOF on its stdin pipe and stops.
    server.process.child.kill('SIGKILL');
    await server.process.exited;
    await vi.waitFor(() => expect(alive([...survivors, replacement])).toEqual([]), { timeout: 10_000, interval: 50 });
  });

  it('gives up and exits non-zero when its processes keep failing to start, leaving none behind', async () => {
    // A listener without SO_REUSEPORT holds the port: every child's bind fails with EADDRINUSE.
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const { command, args } = bun.command(port, { workers: 2 });
      const supervisor = new ServerProcess({ command, args, isReady: () => false });
      started.push(supervisor);
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
