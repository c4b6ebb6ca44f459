// Slow clients against the runtime under test (process runtimes, vitest.config.ts: the request timeout is a flag of
// theirs; docs/reliability.md#slow-and-idle-clients). A body that has not arrived whole at
// --request-timeout gets the contract's JSON 408 with `Connection: close`, counted in /metrics, and
// the server closes the connection, whether the route reads the body or not. On Deno, the same and a
// silent connection with --deno-server node, which has Node's timeouts, alone and through --workers 2. The deadline comes from the
// server's own setting, made short here; the test waits on what the server does (its answer, its
// FIN), never on a clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../tools/harness/http-client.ts';
import { runtimeUnderTest, type ServerSettings } from '../../tools/harness/runtimes.ts';
import { ServerProcess, stopAllServers } from '../../tools/harness/server-process.ts';
import { freePort } from '../../tools/harness/free-port.ts';
import { REPO_ROOT } from '../../tools/harness/repo-root.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';
import { itIf } from '../support/conditional.ts';
import { parseExposition, total } from '../support/prometheus-text.ts';
import { trackedRawConnections } from '../support/raw-connections.ts';

const runtime = runtimeUnderTest();
/** Short, so that the test is; far above what a whole 8,000-byte body takes on loopback. */
const REQUEST_TIMEOUT_MS = 2_000;
const DECLARED_BYTES = 8_000;
/** What a test may take: the timeout, the server's own check interval (Node: 1 s) and room for a loaded machine. */
const TEST_TIMEOUT_MS = REQUEST_TIMEOUT_MS + 15_000;

afterAll(stopAllServers);

const connection = trackedRawConnections();

/** Opens a connection, sends a head declaring an 8,000-byte body, then one byte of it a second. */
async function tricklingBody(port: number, method: string, path: string) {
  const client = await connection(port);
  client.write(
    `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${DECLARED_BYTES}\r\n\r\n`,
  );
  let sent = 0;
  const trickle = setInterval(() => {
    client.write(' ');
    sent++;
  }, 1_000);
  void client.closedByServer.then(() => clearInterval(trickle));
  return { client, stop: () => clearInterval(trickle), sent: () => sent };
}

/** Each server the runtime can listen with, and whether it closes a connection whose body still trickles. */
const servers: { label: string; settings: ServerSettings; closesSlowBodies: boolean }[] = [
  { label: runtime.name, settings: {}, closesSlowBodies: runtime.closesSlowBodies },
  ...(runtime.name === 'deno'
    ? [
        { label: 'deno --deno-server node', settings: { denoServer: 'node' as const }, closesSlowBodies: true },
        // Behind the supervisor's balancer (least-busy), each child on a loopback port of its own: the
        // child's timeouts close its side, and the balancer the client's.
        {
          label: 'deno --deno-server node --workers 2',
          settings: { denoServer: 'node' as const, workers: 2 },
          closesSlowBodies: true,
        },
      ]
    : []),
];

describe.each(servers)('slow clients on $label', ({ settings, closesSlowBodies }) => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startRuntime(runtime, { ...settings, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  });

  it(
    'gets a JSON 408 that closes the connection, counted in /metrics, on a route that reads the body',
    async () => {
      const { client, stop, sent } = await tricklingBody(server.port, 'POST', '/delay?ms=1');
      try {
        const answer = await client.next('POST');
        expect(answer.status, answer.text).toBe(408);
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
        expect(answer.json).toEqual({
          error: 'invalid_request',
          message: expect.stringContaining('did not arrive whole'),
        });
        expect(answer.closes).toBe(true);
        expect(sent()).toBeLessThan(DECLARED_BYTES);
        if (closesSlowBodies) await client.closedByServer;
      } finally {
        stop();
      }
      const samples = parseExposition((await request(`${server.url}/metrics`)).text).samples;
      expect(total(samples, 'lab_http_requests_total', { route: '/delay', status: '408' })).toBe(1);
      expect(total(samples, 'lab_http_requests_total', { route: '/delay', status: '499' })).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'is not read for ever on a route that answers without reading it: the answer closes the connection',
    async () => {
      const { client, stop } = await tricklingBody(server.port, 'POST', '/health');
      try {
        const answer = await client.next('POST');
        expect(answer.status, answer.text).toBe(405);
        if (closesSlowBodies) await client.closedByServer;
      } finally {
        stop();
      }
    },
    TEST_TIMEOUT_MS,
  );

  // On loopback only this machine reaches the server: nothing to warn of (the warning's own test is below).
  itIf(runtime.name === 'deno')('logs no slow_clients_held on loopback', () => {
    expect(server.process.logs.filter((entry) => entry.event === 'slow_clients_held')).toEqual([]);
  });

  itIf(settings.denoServer === 'node')(
    'closes a connection that sends nothing, with a JSON 408, at the header timeout',
    async () => {
      const client = await connection(server.port);
      const answer = await client.next();
      expect(answer.status, answer.text).toBe(408);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      await client.closedByServer;
    },
    TEST_TIMEOUT_MS,
  );
});

// node:http on Deno cannot share a port: under --balance kernel every child would bind the public one.
itIf(runtime.name === 'deno')('refuses --deno-server node with --workers under --balance kernel (exit 2)', async () => {
  const port = await freePort();
  const { command, args, env } = runtime.command(port, { denoServer: 'node', workers: 2, balance: 'kernel' });
  const server = new ServerProcess({ command, args, cwd: REPO_ROOT, ...(env ? { env } : {}), isReady: () => false });
  expect((await server.exited).code).toBe(2);
  expect(server.tail()).toContain('--deno-server node cannot share a port');
});

/**
 * Starts Deno on `host` and waits for it to exit: 192.0.2.1 (TEST-NET-1, reserved for documentation)
 * is on no interface here and outside deno.json's net permission, so the server says what it says at
 * start, then cannot listen: no test server ever listens beyond loopback.
 */
async function startOutsideLoopback(settings: ServerSettings) {
  const port = await freePort();
  const { command, args, env } = runtime.command(port, settings);
  const server = new ServerProcess({
    command,
    args: [...args, '--host=192.0.2.1'],
    cwd: REPO_ROOT,
    ...(env ? { env } : {}),
    isReady: () => false,
  });
  const exited = await server.exited;
  return { exited, warnings: server.logs.filter((entry) => entry.event === 'slow_clients_held'), tail: server.tail() };
}

// Deno.serve has no timeout: on an address other clients reach, the server says so once, at start.
itIf(runtime.name === 'deno')(
  'says once at start that Deno.serve holds slow clients on an address beyond loopback, not with --deno-server node',
  async () => {
    const serve = await startOutsideLoopback({});
    expect(serve.exited.code, serve.tail).not.toBe(0);
    expect(serve.warnings, serve.tail).toHaveLength(1);
    expect(serve.warnings[0]).toMatchObject({ level: 'warn', host: '192.0.2.1' });
    expect(serve.warnings[0]!.message).toContain('--deno-server node');
    expect(serve.warnings[0]!.message).toContain('docs/reliability.md');
    const withWorkers = await startOutsideLoopback({ workers: 2, balance: 'kernel' });
    expect(withWorkers.warnings, withWorkers.tail).toHaveLength(1);
    const node = await startOutsideLoopback({ denoServer: 'node' });
    expect(node.exited.code, node.tail).not.toBe(0);
    expect(node.warnings, node.tail).toEqual([]);
  },
  60_000,
);
