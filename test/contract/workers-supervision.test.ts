// `--workers 4`: four processes answer, and none outlives its supervisor, whether the supervisor is
// stopped with SIGTERM or killed with SIGKILL (which it cannot catch: its children must notice alone).
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../support/http-client.ts';
import { isAlive, stopAllServers } from '../support/server-process.ts';
import { runtimeUnderTest } from './runtimes.ts';
import { startRuntime, type StartedServer } from './start.ts';

const runtime = runtimeUnderTest();
const describeIf = (condition: boolean): typeof describe | ((...args: unknown[]) => void) => (condition ? describe : () => {});
const WORKERS = 4;

afterAll(stopAllServers);

/**
 * The worker ids that answer `GET /` on fresh connections, asking until `count` distinct ones have
 * answered. With kernel hashing (reusePort) which process gets a connection is chance, so this asks
 * in rounds rather than a fixed number of times; after `limit` requests it returns what it saw.
 */
async function answeringWorkers(url: string, count: number, limit = 512): Promise<Set<number>> {
  const seen = new Set<number>();
  for (let sent = 0; sent < limit && seen.size < count; sent += 16) {
    const responses = await Promise.all(Array.from({ length: 16 }, () => request(`${url}/`)));
    for (const response of responses) seen.add(Number((response.json as { worker_id: number }).worker_id));
  }
  return seen;
}

/** The pids still running once all have exited, or when `withinMs` has passed. */
async function survivors(pids: Iterable<number>, withinMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const alive = [...pids].filter(isAlive);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeIf(runtime.hasWorkers)(`--workers ${WORKERS} supervision on ${runtime.name}`, () => {
  async function startWorkers(): Promise<{ server: StartedServer; workers: Set<number> }> {
    const server = await startRuntime(runtime, { workers: WORKERS });
    const workers = await answeringWorkers(server.url, WORKERS);
    expect(workers.size).toBe(WORKERS);
    expect(workers.has(server.process.pid)).toBe(false); // the supervisor serves nothing itself
    return { server, workers };
  }

  it('answers from four distinct processes, and SIGTERM stops all of them before the supervisor exits', async () => {
    const { server, workers } = await startWorkers();
    try {
      // Not server.process.stop(): its clean-up kills the whole process group, which would hide a leak.
      server.process.child.kill('SIGTERM');
      expect(await server.process.exited).toEqual({ code: 0, signal: null });
      expect([...workers].filter(isAlive)).toEqual([]);
    } finally {
      server.process.killGroup();
    }
  });

  it('leaves no worker behind when the supervisor is killed with SIGKILL', async () => {
    const { server, workers } = await startWorkers();
    try {
      server.process.child.kill('SIGKILL');
      expect(await server.process.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await survivors(workers)).toEqual([]);
    } finally {
      server.process.killGroup();
    }
  });
});
