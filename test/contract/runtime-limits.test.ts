// What POST /delay refuses because of where it runs, on every runtime: advice that names only the
// modes this server has, and on Workers, blocking work above the CPU limit a deployed Worker gets
// (wrangler.toml's [limits] cpu_ms, repeated as LAB_CPU_LIMIT_MS), which local dev does not enforce.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, request } from '../../tools/harness/http-client.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';
import { itIf } from '../support/conditional.ts';

const runtime = runtimeUnderTest();
/** wrangler.toml's [limits] cpu_ms (adapters/cloudflare/wrangler-toml.test.ts holds LAB_CPU_LIMIT_MS to it). */
const WORKERS_CPU_LIMIT_MS = 30_000;

let server: StartedServer;
beforeAll(async () => {
  server = await startRuntime(runtime, { maxDelayMs: 60_000 });
});
afterAll(stopAllServers);

describe(`refusals on ${runtime.name}`, () => {
  it('async with cpu work is refused with advice naming only modes this server has', async () => {
    const { modes } = (await request(`${server.url}/info`)).json as { modes: string[] };
    const refused = await post(`${server.url}/delay?mode=async&work=cpu&ms=10`);
    expect(refused.status).toBe(400);
    const { message } = refused.json as { message: string };
    const advised = [...message.matchAll(/mode=(\w+)/g)].map((match) => match[1]).filter((mode) => mode !== 'async');
    expect(advised.length).toBeGreaterThan(0);
    for (const mode of advised) expect(modes, message).toContain(mode);
  });

  itIf(runtime.name === 'workerd')(
    'blocking work above the CPU limit is refused with a JSON 400 that says why, before any work runs',
    async () => {
      for (const work of ['sleep', 'cpu']) {
        const refused = await post(`${server.url}/delay?mode=blocking&work=${work}&ms=${WORKERS_CPU_LIMIT_MS}`);
        expect(refused.status).toBe(400);
        expect(refused.headers['content-type']).toMatch(/^application\/json/);
        expect(refused.json).toMatchObject({
          error: 'invalid_request',
          message: expect.stringMatching(/^`ms` must be at most \d+ with mode=blocking here: .*30000 ms of CPU/),
        });
      }
      expect(server.process.logs.filter((entry) => entry.event === 'work_started')).toEqual([]);
      // An async wait as long uses no CPU: accepted, its work starts (the client then leaves).
      const client = new AbortController();
      const waiting = request(`${server.url}/delay?mode=async&ms=${WORKERS_CPU_LIMIT_MS}`, {
        method: 'POST',
        signal: client.signal,
      }).catch((error: unknown) => error);
      expect(await server.process.waitForLog((entry) => entry.event === 'work_started')).toMatchObject({
        mode: 'async',
        ms: WORKERS_CPU_LIMIT_MS,
      });
      client.abort();
      expect(await waiting).toBeInstanceOf(Error);
    },
  );
});
