import { describe, expect, it } from 'vitest';
import { emptyTally, record } from './load.ts';
import { mixFor, pickKind, REQUEST_KINDS } from './mix.ts';

const kind = (name: string) => REQUEST_KINDS.find((k) => k.name === name)!;

describe('the request mix', () => {
  it('has every route of the contract, valid and invalid, and leaves pool requests out where there is no pool', () => {
    expect(mixFor(true).map((k) => k.name)).toContain('delay pool');
    expect(mixFor(false).map((k) => k.name)).not.toContain('delay pool');
    expect(new Set(mixFor(true).map((k) => k.expected))).toEqual(new Set([200, 400, 404]));
  });

  it('draws kinds in proportion to their weights', () => {
    const kinds = mixFor(true);
    const total = kinds.reduce((sum, k) => sum + k.weight, 0);
    const draws = 10_000;
    const counts = new Map<string, number>();
    // Evenly spread points over [0, 1): each kind gets exactly its share, give or take one.
    for (let i = 0; i < draws; i++) {
      const picked = pickKind(kinds, () => (i + 0.5) / draws);
      counts.set(picked.name, (counts.get(picked.name) ?? 0) + 1);
    }
    for (const k of kinds) expect(Math.abs(counts.get(k.name)! - (draws * k.weight) / total)).toBeLessThanOrEqual(1);
  });

  it('keeps the valid work short: async ≤ 50 ms, pool ≤ 20 ms, blocking ≤ 5 ms', () => {
    for (const r of [0, 0.5, 0.999_999]) {
      expect(kind('delay async').make(() => r).path).toMatch(/^\/delay\?mode=async&ms=([0-9]|[1-4][0-9]|50)$/);
      expect(JSON.parse(kind('delay pool').make(() => r).body!)).toMatchObject({
        mode: 'pool',
        ms: expect.any(Number),
      });
      expect(Number(/ms=(\d+)/.exec(kind('delay blocking').make(() => r).path)![1])).toBeLessThanOrEqual(5);
    }
  });
});

describe('record', () => {
  it('counts the expected status as ok, anything else as an error named by kind and status or code', () => {
    const tally = emptyTally();
    record(tally, kind('invalid ms'), { status: 400 });
    record(tally, kind('invalid ms'), { status: 200 });
    record(tally, kind('GET /'), { status: 500 });
    record(tally, kind('GET /'), { error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
    record(tally, kind('GET /'), { error: new DOMException('timed out', 'TimeoutError') });
    expect(tally).toEqual({
      requests: 5,
      ok: { 'invalid ms': 1 },
      overloaded: 0,
      errors: { 'invalid ms: 200': 1, 'GET /: 500': 1, 'GET /: ECONNRESET': 1, 'GET /: timeout': 1 },
      errorCount: 4,
    });
  });

  it('counts 503 to valid work apart, and 503 to anything else as an error', () => {
    const tally = emptyTally();
    record(tally, kind('delay pool'), { status: 503 });
    record(tally, kind('GET /health'), { status: 503 });
    expect(tally.overloaded).toBe(1);
    expect(tally.errors).toEqual({ 'GET /health: 503': 1 });
  });
});
