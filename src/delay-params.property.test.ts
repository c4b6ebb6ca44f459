// Property: whatever a client sends, parsing either yields a valid request or a 400 with a message;
// it never throws, and the app never answers 5xx.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';
import { parseDelayParams } from './delay-params.ts';
import { createLogger } from './logger.ts';
import { MODES, WORKS } from './runtime.ts';
import { fakeRuntime, FakePool } from './fake-runtime.ts';

const MAX = 60_000;
const defaults = { mode: 'async' as const, maxDelayMs: MAX };

const nearValid = fc.oneof(
  fc.constantFrom(
    ...MODES,
    ...WORKS,
    '0',
    '1',
    '3000',
    String(MAX),
    String(MAX + 1),
    '-1',
    '1.5',
    '1e3',
    ' 1',
    '0x10',
    '',
  ),
  fc.string(),
  fc.integer({ min: -1e9, max: 1e9 }).map(String),
);
const anyJson = fc.jsonValue();
const queryArb = fc.dictionary(fc.constantFrom('mode', 'ms', 'work', 'other', '__proto__', 'constructor'), nearValid, {
  maxKeys: 4,
});
const bodyArb = fc.oneof(
  fc.constant(undefined),
  anyJson,
  fc.dictionary(fc.constantFrom('mode', 'ms', 'work', 'x', '__proto__'), fc.oneof(nearValid, anyJson), { maxKeys: 4 }),
);

describe('parseDelayParams, for any input', () => {
  it('returns a valid request or a message, and never throws', () => {
    fc.assert(
      fc.property(queryArb, bodyArb, (query, body) => {
        const result = parseDelayParams(query, body, defaults);
        if (result.ok) {
          expect(MODES).toContain(result.value.mode);
          expect(WORKS).toContain(result.value.work);
          expect(Number.isInteger(result.value.ms)).toBe(true);
          expect(result.value.ms).toBeGreaterThanOrEqual(0);
          expect(result.value.ms).toBeLessThanOrEqual(MAX);
          expect(result.value.mode === 'async' && result.value.work === 'cpu').toBe(false);
        } else {
          expect(result.message.length).toBeGreaterThan(10);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts every valid combination', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODES),
        fc.constantFrom(...WORKS),
        fc.integer({ min: 0, max: MAX }),
        (mode, work, ms) => {
          fc.pre(!(mode === 'async' && work === 'cpu'));
          expect(parseDelayParams({ mode, work, ms: String(ms) }, undefined, defaults)).toEqual({
            ok: true,
            value: { mode, work, ms },
          });
          expect(parseDelayParams({}, { mode, work, ms }, defaults)).toEqual({ ok: true, value: { mode, work, ms } });
        },
      ),
    );
  });
});

describe('POST /delay, for any query and body', () => {
  const runtime = fakeRuntime(new FakePool());
  const app = createApp({
    runtime,
    defaultMode: 'async',
    maxDelayMs: MAX,
    logger: createLogger({ format: 'off', now: () => 0 }),
  });

  it('answers 200 or a JSON 4xx, never 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        queryArb,
        fc.oneof(
          fc.string(),
          anyJson.map((v) => JSON.stringify(v)),
        ),
        async (query, body) => {
          const search = new URLSearchParams(query).toString();
          const response = await app.request(`/delay?${search}`, { method: 'POST', body });
          expect(response.status === 200 || (response.status >= 400 && response.status < 500)).toBe(true);
          const json = (await response.json()) as Record<string, unknown>;
          if (response.status !== 200) expect(json).toEqual({ error: expect.any(String), message: expect.any(String) });
        },
      ),
      { numRuns: 500 },
    );
  });
});
