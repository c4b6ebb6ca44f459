// `--max-connections auto` under Deno's `--deno-server node` (docs/reliability.md#connection-floods):
// the cap is what the open-file limit leaves, as on Node, although Deno's permissions keep /proc from
// the process (adapters/deno/open-file-limit.ts). A lone process flooded past its open-file limit
// closes the connections over the cap at once and answers again (without the cap, Deno's node:net
// stops accepting for good at EMFILE, and the backlog is never closed); with --workers each child is
// started with that cap as a number. Not lab_connections_refused_total: Deno 2.9.6's node:net closes
// a connection over maxConnections without the 'drop' event that counts it.
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { request } from '../../tools/harness/http-client.ts';
import { startFlood } from '../../tools/harness/flood.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { answersHealth, startRuntime } from '../../tools/harness/start-runtime.ts';
import { ACCEPT_BACKOFF } from '../../src/serve/accept-errors.ts';
import { CONNECTION_TIMEOUTS } from '../../src/serve/connections.ts';
import { describeIf } from '../support/conditional.ts';
import { parseExposition, total } from '../support/prometheus-text.ts';

const runtime = runtimeUnderTest();

afterAll(stopAllServers);

/** The server's hard open-file limit (Deno raises its soft limit to it), as `ulimit -Hn 1024` would set. */
const SERVER_OPEN_FILES = 1_024;
/** Past what the process can hold, within what it holds plus what the kernel queues for it (flood.test.ts). */
const FLOOD = 1_400;

describeIf(runtime.name === 'deno')('--max-connections auto with --deno-server node', () => {
  it('caps a lone process below its open-file limit: a flood past it is closed over the cap, and the server answers after', async () => {
    const server = await startRuntime(runtime, { denoServer: 'node' }, { fdLimit: SERVER_OPEN_FILES });
    const { flood, open } = await startFlood(server.port, FLOOD);
    expect(open.connected + open.failed).toBe(FLOOD);
    // Those over the cap at once, the rest at the header timeout counted from accept.
    await flood.waitForLog(
      (entry) => entry.event === 'flood_closed' && entry.closed === open.connected,
      2 * CONNECTION_TIMEOUTS.headersMs + 20_000,
    );
    expect(server.process.isRunning, server.process.tail()).toBe(true);
    await flood.stop();

    const deadline = performance.now() + ACCEPT_BACKOFF.maxMs + 1_000;
    while (!(await answersHealth(server.url)))
      if (performance.now() > deadline) throw new Error('/health did not answer after the flood');
    const samples = parseExposition((await request(`${server.url}/metrics`)).text).samples;
    // None of the flood's is still counted open: those over the cap never reached node:http.
    expect(total(samples, 'lab_connections_open')).toBeLessThan(5);
    await server.process.stop();
  }, 120_000);

  it('starts each --workers child with that cap, a number within the open-file limit', async () => {
    const server = await startRuntime(runtime, { denoServer: 'node', workers: 2 }, { fdLimit: SERVER_OPEN_FILES });
    const children = server.process.logs
      .filter((entry) => entry.event === 'worker_started')
      .map((entry) => Number(entry.child));
    expect(children).toHaveLength(2);
    for (const pid of children) {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      const cap = args.find((arg) => arg.startsWith('--max-connections='))?.slice('--max-connections='.length);
      expect(Number(cap), args.join(' ')).toBeGreaterThan(0);
      expect(Number(cap)).toBeLessThan(SERVER_OPEN_FILES);
    }
    await server.process.stop();
  }, 60_000);
});
