// A connection flood past a server's open-file limit, checked against the runtime under test: the
// server must stay up, close the silent connections itself where its runtime has a header timeout,
// and answer again once the flood is gone (docs/reliability.md#connection-floods).
import { afterAll, expect, it } from 'vitest';
import { request } from '../../tools/harness/http-client.ts';
import { floodClosed, startFlood } from '../../tools/harness/flood.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { answersHealth, startRuntime } from '../../tools/harness/start-runtime.ts';
import { ACCEPT_BACKOFF } from '../../src/serve/accept-errors.ts';
import { CONNECTION_TIMEOUTS } from '../../src/serve/connections.ts';
import { describeIf } from '../support/conditional.ts';

const runtime = runtimeUnderTest();

afterAll(stopAllServers);

/** The server's hard open-file limit (the runtimes raise their soft limit to it), as `ulimit -Hn 1024` would set. */
const SERVER_OPEN_FILES = 1_024;
/**
 * A process's share of the flood: past what it can hold, but within what it holds plus what the kernel
 * queues for it (Bun's listen backlog is 512): beyond that the kernel drops the handshake's last
 * packet, and the client believes in connections the server has never seen, which no server can close.
 */
const FLOOD_PER_PROCESS = 1_400;

/** The sum of a metric over every process (with --workers, /metrics answers for all), or undefined if absent. */
function metricSum(text: string, name: string): number | undefined {
  const lines = text.split('\n').filter((line) => line.startsWith(`${name}{`));
  if (lines.length === 0) return undefined;
  return lines.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** Resolves once /health answers 200, polling; rejects at `withinMs`. */
async function healthyWithin(url: string, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  while (!(await answersHealth(url)))
    if (performance.now() > deadline) throw new Error(`/health did not answer within ${withinMs} ms after the flood`);
}

describeIf(runtime.hasCli)(`a flood of silent connections past the open-file limit, on ${runtime.name}`, () => {
  for (const workers of runtime.hasWorkers ? [1, 2] : [1]) {
    it(`with --workers ${workers}: stays up, closes them itself where it has a header timeout, then answers again`, async () => {
      const server = await startRuntime(runtime, { workers }, { fdLimit: SERVER_OPEN_FILES });
      const { flood, open } = await startFlood(server.port, FLOOD_PER_PROCESS * workers);
      expect(open.connected + open.failed).toBe(FLOOD_PER_PROCESS * workers);

      if (runtime.slowHeaders !== 'kept') {
        // Every connection the handshake completed for is closed by the server: at once past the cap,
        // else by the header timeout counted from accept (or, on Bun, its idle timeout), and the ones
        // the kernel held in the backlog meanwhile once accepted in their turn.
        await flood.waitForLog(
          (entry) => entry.event === 'flood_closed' && entry.closed === open.connected,
          2 * CONNECTION_TIMEOUTS.headersMs + 20_000,
        );
      }
      expect(server.process.isRunning, server.process.tail()).toBe(true);
      expect(server.process.logs.filter((entry) => entry.event === 'worker_exited')).toEqual([]);
      await flood.stop();

      // Once the flood is gone: at most one step of the accept backoff, then a request's time.
      await healthyWithin(server.url, ACCEPT_BACKOFF.maxMs + 1_000);
      const metrics = (await request(`${server.url}/metrics`)).text;
      // A lone process is past its cap; with --workers on Node the supervisor accepts for its children
      // (node:cluster), and its own open-file limit is the one the flood meets first.
      if (runtime.capsConnections && workers === 1)
        expect(metricSum(metrics, 'lab_connections_refused_total')).toBeGreaterThan(0);
      // Nothing closes them here (no header timeout): the process hit its open-file limit and went on,
      // its failed accepts counted.
      if (runtime.slowHeaders === 'kept') expect(metricSum(metrics, 'lab_accept_errors_total')).toBeGreaterThan(0);
      await server.process.stop();
    }, 120_000);
  }
});

describeIf(runtime.capsConnections)(`--max-connections on ${runtime.name}`, () => {
  it('closes a connection past the cap at once, and /metrics counts it', async () => {
    const server = await startRuntime(runtime, { maxConnections: 50 });
    const { flood, open } = await startFlood(server.port, 60);
    expect(open.connected).toBe(60);
    await flood.waitForLog((entry) => entry.event === 'flood_closed' && entry.closed === 10);
    const refusedAt = floodClosed(flood);
    await flood.stop();
    await healthyWithin(server.url, ACCEPT_BACKOFF.maxMs + 1_000);
    const metrics = (await request(`${server.url}/metrics`)).text;
    expect(refusedAt).toBe(10);
    expect(metricSum(metrics, 'lab_connections_refused_total')).toBe(10);
    await server.process.stop();
  });
});
