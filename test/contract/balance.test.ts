// Who picks the process for a new connection under `--workers N` (`--balance`, src/serve/balance.ts),
// on every runtime that has processes: by default a process that is free. Judged from the worker_id
// and the start_time/end_time interval each answer reports, never from how long anything took.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, expect, it } from 'vitest';
import { post, request, type HttpResponse } from '../../tools/harness/http-client.ts';
import { requestBytes } from '../../tools/harness/raw-connection.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { ServerProcess, stopAllServers } from '../../tools/harness/server-process.ts';
import { startRuntime } from '../../tools/harness/start-runtime.ts';
import { REPO_ROOT } from '../../tools/harness/repo-root.ts';
import { describeIf } from '../support/conditional.ts';
import { overlaps, toInterval } from '../support/intervals.ts';
import { parseExposition, select, total } from '../support/prometheus-text.ts';
import { parseAnswers, readBytesSlowly } from '../support/slow-reader.ts';

const runtime = runtimeUnderTest();
const WORKERS = 4;
/** Rounds of WORKERS blocking requests fired at once: every round must spread, not most of them. */
const ROUNDS = 5;

afterAll(stopAllServers);

/** `count` blocking requests of `ms`, fired at once, each on a new connection. */
function blockingAtOnce(url: string, count: number, ms: number): Promise<HttpResponse[]> {
  return Promise.all(Array.from({ length: count }, () => post(`${url}/delay?mode=blocking&ms=${ms}`)));
}

describeIf(runtime.hasWorkers)(`--workers ${WORKERS} with the default balance on ${runtime.name}`, () => {
  it('four blocking requests fired at once run at once in four distinct processes, every round', async () => {
    const server = await startRuntime(runtime, { workers: WORKERS });
    const ready = server.process.logs.find((entry) => entry.event === 'server_ready');
    expect(ready).toMatchObject({ balance: 'least-busy', processes: WORKERS });
    const info = (await request(`${server.url}/info`)).json as { processes: { balance: string; balancing: string } };
    expect(info.processes.balance).toBe('least-busy');
    for (let round = 0; round < ROUNDS; round++) {
      const responses = await blockingAtOnce(server.url, WORKERS, 200);
      expect(responses.map((response) => response.status)).toEqual(Array(WORKERS).fill(200));
      const intervals = responses.map((response) => toInterval(response.json));
      expect(new Set(intervals.map((interval) => interval.workerId)).size, `round ${round}`).toBe(WORKERS);
      // And they really ran together: every pair overlaps in time.
      for (const a of intervals) for (const b of intervals) expect(overlaps(a, b)).toBe(true);
    }
    expect((await server.process.stop()).code).toBe(0);
  });

  it('a process busy with a long blocking request gets none of the short ones that follow', async () => {
    const server = await startRuntime(runtime, { workers: WORKERS });
    const long = post(`${server.url}/delay?mode=blocking&ms=3000`);
    const busy = (
      await server.process.waitForLog((entry) => entry.event === 'work_started' && entry.mode === 'blocking')
    ).worker_id;
    const shorts = [];
    // One after another, each on a new connection: a round-robin would hand every fourth to `busy`.
    for (let i = 0; i < 12; i++) shorts.push(toInterval((await post(`${server.url}/delay?mode=blocking&ms=20`)).json));
    const longInterval = toInterval((await long).json);
    expect(longInterval.workerId).toBe(busy);
    const whileBusy = shorts.filter((interval) => interval.start < longInterval.end);
    expect(whileBusy.length).toBeGreaterThan(0);
    expect(whileBusy.filter((interval) => interval.workerId === busy)).toEqual([]);
    expect((await server.process.stop()).code).toBe(0);
  });

  it('a client whose process is killed mid-request gets an error at once, and the next one is answered', async () => {
    const server = await startRuntime(runtime, { workers: 2 });
    // Far longer than the kill takes: a client left hanging would see this timeout, not a closed connection.
    const signal = AbortSignal.timeout(20_000);
    const doomed = request(`${server.url}/delay?mode=blocking&ms=30000`, { method: 'POST', signal }).then(
      () => 'answered',
      () => (signal.aborted ? 'gave up waiting' : 'connection closed'),
    );
    const busy = (
      await server.process.waitForLog((entry) => entry.event === 'work_started' && entry.mode === 'blocking')
    ).worker_id as number;
    process.kill(busy, 'SIGKILL');
    expect(await doomed).toBe('connection closed');
    // New connections go to the live process at once, before the replacement joins.
    const next = await request(`${server.url}/`);
    expect(next.status).toBe(200);
    expect((next.json as { worker_id: number }).worker_id).not.toBe(busy);
    expect((await server.process.stop()).code).toBe(0);
  });
});

describeIf(runtime.hasWorkers)(`the balancer's series in GET /metrics on ${runtime.name}`, () => {
  it('one scrape holds what the balancer handed to every process, and what is in flight', async () => {
    const server = await startRuntime(runtime, { workers: 3 });
    const children = startedChildren(server.process);
    const sent = 9;
    for (let i = 0; i < sent; i++) expect((await request(`${server.url}/`)).status).toBe(200);
    const { samples, problems } = parseExposition((await request(`${server.url}/metrics`)).text);
    expect(problems).toEqual([]);
    const handed = select(samples, 'lab_balancer_connections_total');
    expect(new Set(handed.map((sample) => Number(sample.labels.worker_id)))).toEqual(new Set(children));
    // Each GET / on a connection of its own, and the scrape's: one after another, so each to the
    // process that waited longest, three each.
    expect(total(samples, 'lab_balancer_connections_total')).toBe(sent + 1);
    expect(handed.map((sample) => sample.value).sort()).toEqual([3, 3, 4]);
    // The scrape is the one request in flight.
    expect(total(samples, 'lab_balancer_in_flight')).toBe(1);
    expect((await server.process.stop()).code).toBe(0);
  });
});

describeIf(runtime.hasWorkers)(`--workers and the port on ${runtime.name}`, () => {
  it('a second --workers server on a port in use fails with "address in use" and exit 1, taking no traffic', async () => {
    const first = await startRuntime(runtime, { workers: 2 });
    const { command, args } = runtime.command(first.port, { workers: 2 });
    const second = new ServerProcess({ command, args, cwd: REPO_ROOT, isReady: () => false });
    expect((await second.exited).code).toBe(1);
    expect(second.tail(100)).toMatch(/address (already )?in use/i);
    expect(second.count('server_ready')).toBe(0);
    const pids = startedChildren(first.process);
    const answers = await Promise.all(Array.from({ length: 8 }, () => request(`${first.url}/`)));
    for (const answer of answers) expect(pids).toContain((answer.json as { worker_id: number }).worker_id);
    expect((await first.process.stop()).code).toBe(0);
  });

  it('--port 0 announces the port really bound, and it answers', async () => {
    const { command, args } = runtime.command(0, { workers: 2 });
    const server = new ServerProcess({
      command,
      args,
      cwd: REPO_ROOT,
      isReady: () => false,
    });
    const ready = await server.waitForLog((entry) => entry.event === 'server_ready', 60_000);
    const url = new URL(ready.url as string);
    expect(Number(url.port)).toBeGreaterThan(0);
    expect((await request(`${url.origin}/`)).status).toBe(200);
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});

describeIf(runtime.hasWorkers)(`backpressure through the --workers balancer on ${runtime.name}`, () => {
  it('a slow reader of several Swagger UI bundles on one connection gets every byte, as on disk', async () => {
    // The largest answer the server has. The file it is read from, as the server reads it.
    const bundle = readFileSync(createRequire(import.meta.url).resolve('swagger-ui-dist/swagger-ui-bundle.js'));
    // One answer fits in the kernel's buffers on loopback (the supervisor's send buffer to the client
    // grows to net.ipv4.tcp_wmem's largest, 4 MiB by default): more than that on one connection, so
    // the carrier must stop reading from its child, and start again when the client has taken some.
    const copies = Math.floor(largestSendBuffer() / bundle.length) + 3;
    const server = await startRuntime(runtime, { workers: 2 });
    const get = (headers: Record<string, string> = {}): Buffer =>
      requestBytes('GET', '/docs/swagger-ui-bundle.js', { headers });
    const rest = Buffer.concat([...Array.from({ length: copies - 2 }, () => get()), get({ Connection: 'close' })]);
    // A carrier that never reads again after it stopped leaves this waiting: the test's timeout.
    const { answers, cut } = parseAnswers(await readBytesSlowly(server.port, get(), rest));
    for (const answer of answers) expect(answer.status).toBe(200);
    for (const answer of answers) expect(Buffer.from(answer.text).equals(bundle)).toBe(true);
    if (runtime.pipelinesBehindPendingAnswer) {
      expect(answers.length).toBe(copies);
      expect(cut.length).toBe(0);
    } else {
      // Bun.serve, the child, may close the connection in the middle of a large answer when more
      // requests are pipelined behind it (its "async pipelining" limit, docs/reliability.md#pipelining;
      // seen on a lone Bun.serve, no balancer, at about 4 MB). What is the balancer's to keep: every
      // byte the child sent arrives, in order and unchanged, so what follows the whole answers is the
      // start of one more, nothing else.
      expect(answers.length).toBeGreaterThanOrEqual(2);
      expect(isStartOfAnswer(cut, bundle), `${cut.length} bytes after ${answers.length} answers`).toBe(true);
    }
    expect((await server.process.stop()).code).toBe(0);
  }, 30_000);
});

/** Whether `bytes` are the start of a 200 answer whose body is `body`: a head, then body's first bytes. */
function isStartOfAnswer(bytes: Buffer, body: Buffer): boolean {
  const headEnd = bytes.indexOf('\r\n\r\n');
  if (headEnd < 0) return 'HTTP/1.1 200 '.startsWith(bytes.subarray(0, 13).toString('latin1'));
  const sent = bytes.subarray(headEnd + 4);
  return bytes.subarray(0, 13).toString('latin1') === 'HTTP/1.1 200 ' && sent.equals(body.subarray(0, sent.length));
}

/** The most a TCP socket's send buffer grows to (net.ipv4.tcp_wmem's third field), in bytes. */
function largestSendBuffer(): number {
  return Number(readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/)[2]);
}

/** The children the supervisor reported, in order. */
function startedChildren(server: ServerProcess): number[] {
  return server.logs.filter((entry) => entry.event === 'worker_started').map((entry) => entry.child as number);
}
