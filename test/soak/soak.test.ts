// A short soak against every runtime of the matrix that this checkout can start: the mixed load
// runs, every answer has the status its request kind must get, and memory stays bounded. Plus a
// soak against a server that answers 200 to everything, to show that wrong answers are caught.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unavailableReason } from '../../tools/lab/availability.ts';
import { RUNTIMES } from '../../tools/harness/runtimes.ts';
import { isAlive, stopAllServers } from '../../tools/harness/server-process.ts';
import { mixFor } from '../../tools/soak/mix.ts';
import { DEFAULT_SETTINGS, soak, type SoakSettings } from '../../tools/soak/run-soak.ts';

// 2 s of warm-up and 8 s of load a runtime keeps the project under a minute with four runtimes.
const SHORT: SoakSettings = { ...DEFAULT_SETTINGS, warmupS: 2, durationS: 8, sampleEveryS: 0.5 };
/** Not a speed figure: only proof that the load ran (a few hundred requests a second is typical). */
const MIN_REQUESTS = 100;

/**
 * Runtimes whose server is known to grow under any load, for a reason outside this project: their
 * memory is measured and reported, not judged here (errors still are). Measured 2026-11-25 with
 * wrangler 4.86.0 / workerd 1.20260426.1: `wrangler dev`'s local workerd grows about 14 KiB a
 * request even with GET /health only (393 → 926 MiB over 24 s, 37,787 requests, autocannon, 16
 * connections); the same soak on Node, Bun and Deno levels off. wrangler dev is a development
 * server, not the Workers platform. Remove the entry once a wrangler update fixes it.
 */
const KNOWN_GROWTH: Record<string, string> = { workerd: 'wrangler dev grows ~14 KiB a request' };

const available = Object.values(RUNTIMES).filter((runtime) => unavailableReason(runtime) === undefined);

afterAll(stopAllServers);

describe('soak against each runtime', () => {
  it('has every runtime of the matrix to soak (in CI, where npm ci installs them all), and node anywhere', () => {
    expect(available.map((runtime) => runtime.name)).toContain('node');
    // A broken install (a postinstall not allowed to run) must fail CI, not quietly shrink it.
    if (process.env.CI) expect(available.map((runtime) => runtime.name).sort()).toEqual(Object.keys(RUNTIMES).sort());
  });

  it.each(available)(
    '$name: serves the whole mix with no errors and bounded memory (unless a known growth), then stops the server',
    async (runtime) => {
      const result = await soak({ runtime }, SHORT);
      const detail = JSON.stringify(
        {
          errors: result.tally.errors,
          failures: result.failures,
          memory: 'verdict' in result.memory ? result.memory.verdict : result.memory,
        },
        null,
        2,
      );
      expect(result.tally.errorCount, detail).toBe(0);
      expect(result.tally.overloaded, detail).toBe(0);
      const memoryIsJudged = KNOWN_GROWTH[runtime.name] === undefined;
      expect(
        result.failures.filter((f) => memoryIsJudged || !f.startsWith('unbounded memory growth')),
        detail,
      ).toEqual([]);
      expect(result.tally.requests).toBeGreaterThan(MIN_REQUESTS);
      // Every kind of the mix was sent and got its expected status at least once (pool only where there is one).
      expect(Object.keys(result.tally.ok).sort()).toEqual(
        mixFor(runtime.hasPool)
          .map((kind) => kind.name)
          .sort(),
      );
      expect(result.memory).toHaveProperty('verdict');
      if (memoryIsJudged) expect('verdict' in result.memory && result.memory.verdict.bounded, detail).toBe(true);
      expect(isAlive(result.pid!)).toBe(false);
    },
  );
});

describe('soak against a server that gets the contract wrong', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    // 200 to everything: right for the valid kinds, wrong for the invalid ones and unknown routes.
    server = createServer((req, res) => req.resume().on('end', () => res.end('{}'))).listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts each wrong answer as an error by kind, and skips memory without a pid', async () => {
    const result = await soak(
      { url },
      { ...DEFAULT_SETTINGS, warmupS: 0, durationS: 1, sampleEveryS: 0.1, concurrency: 4 },
    );
    expect(Object.keys(result.tally.errors).sort()).toEqual(['invalid ms: 200', 'not found: 200', 'unknown mode: 200']);
    expect(result.failures[0]).toMatch(/^\d+ errors: /);
    expect(result.memory).toEqual({ skipped: expect.stringMatching(/--url without --pid/) });
    // The fake server's /info names no modes, so no pool requests were sent to it.
    expect(result.tally.ok).not.toHaveProperty(['delay pool']);
  });
});
