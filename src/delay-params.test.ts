import { describe, expect, it } from 'vitest';
import { parseDelayParams } from './delay-params.ts';

const defaults = { mode: 'blocking' as const, maxDelayMs: 60_000 };

describe('parseDelayParams', () => {
  it('takes defaults when nothing is given', () => {
    expect(parseDelayParams({}, undefined, defaults)).toEqual({
      ok: true,
      value: { mode: 'blocking', work: 'sleep', ms: 3000 },
    });
  });

  it('never defaults above the maximum', () => {
    expect(parseDelayParams({}, undefined, { ...defaults, maxDelayMs: 500 })).toMatchObject({ value: { ms: 500 } });
  });

  it('reads the query and a JSON body alike', () => {
    const fromQuery = parseDelayParams({ mode: 'pool', ms: '10', work: 'cpu' }, undefined, defaults);
    const fromBody = parseDelayParams({}, { mode: 'pool', ms: 10, work: 'cpu' }, defaults);
    expect(fromQuery).toEqual(fromBody);
    expect(fromBody).toEqual({ ok: true, value: { mode: 'pool', work: 'cpu', ms: 10 } });
  });

  it.each([
    ['ms', { ms: '01x' }],
    ['ms', { ms: '60001' }],
    ['ms', { ms: '' }],
    ['mode', { mode: 'POOL' }],
    ['work', { work: 'io' }],
  ])('names `%s` when it is wrong', (name, query) => {
    const result = parseDelayParams(query, undefined, defaults);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(`\`${name}\``);
  });

  it('refuses async with cpu work, saying why', () => {
    const result = parseDelayParams({ mode: 'async', work: 'cpu' }, undefined, defaults);
    expect(!result.ok && result.message).toMatch(/no non-blocking form/);
  });

  it('refuses null values rather than taking the defaults', () => {
    for (const name of ['ms', 'mode', 'work']) expect(parseDelayParams({}, { [name]: null }, defaults).ok).toBe(false);
  });

  it('refuses a body that is not an object', () => {
    expect(parseDelayParams({}, [1], defaults).ok).toBe(false);
    expect(parseDelayParams({}, 'ms', defaults).ok).toBe(false);
    expect(parseDelayParams({}, null, defaults).ok).toBe(false);
  });

  it('accepts the same value in query and body, and refuses different ones', () => {
    expect(parseDelayParams({ ms: '5' }, { ms: 5 }, defaults).ok).toBe(true);
    expect(parseDelayParams({ ms: '5' }, { ms: 6 }, defaults).ok).toBe(false);
  });
});
