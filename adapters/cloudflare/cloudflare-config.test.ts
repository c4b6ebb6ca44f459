// The Worker's settings from wrangler.toml [vars] (adapters/cloudflare/cloudflare-config.ts).
import { describe, expect, it } from 'vitest';
import { parseWorkersConfig } from './cloudflare-config.ts';

describe('parseWorkersConfig', () => {
  it('uses the shared defaults when no var is set', () => {
    expect(parseWorkersConfig({})).toEqual({
      ok: true,
      config: { mode: 'async', maxDelayMs: 60_000, log: 'pretty', labUi: true, docsUi: true, cpuLimitMs: 30_000 },
    });
  });

  it('reads LAB_MODE, LAB_MAX_DELAY_MS, LAB_LOG, LAB_UI, LAB_DOCS and LAB_CPU_LIMIT_MS, and ignores other bindings', () => {
    expect(
      parseWorkersConfig({
        LAB_MODE: 'blocking',
        LAB_MAX_DELAY_MS: '5000',
        LAB_LOG: 'json',
        LAB_UI: 'off',
        LAB_DOCS: 'off',
        LAB_CPU_LIMIT_MS: '10',
        OTHER: 42,
      }),
    ).toEqual({
      ok: true,
      config: { mode: 'blocking', maxDelayMs: 5000, log: 'json', labUi: false, docsUi: false, cpuLimitMs: 10 },
    });
  });

  it.each([
    [{ LAB_MODE: 'turbo' }, /LAB_MODE in \[vars\] must be one of/],
    [{ LAB_MODE: 'pool' }, /LAB_MODE in \[vars\] cannot be pool/],
    [{ LAB_MAX_DELAY_MS: '1.5' }, /LAB_MAX_DELAY_MS in \[vars\] must be a whole number/],
    [{ LAB_LOG: 'loud' }, /LAB_LOG in \[vars\] must be one of/],
    [{ LAB_UI: 'yes' }, /LAB_UI in \[vars\] must be one of on, off/],
    [{ LAB_DOCS: 'yes' }, /LAB_DOCS in \[vars\] must be one of on, off/],
    [{ LAB_MAX_DELAY_MS: 5000 }, /LAB_MAX_DELAY_MS in \[vars\] must be a string/],
    [{ LAB_MAX_DELAY_MS: '300001' }, /LAB_MAX_DELAY_MS in \[vars\] must be at most 300000 on Workers/],
    [{ LAB_CPU_LIMIT_MS: '0' }, /LAB_CPU_LIMIT_MS in \[vars\] must be a whole number from 1 to 300000/],
    [{ LAB_CPU_LIMIT_MS: '300001' }, /LAB_CPU_LIMIT_MS in \[vars\] must be a whole number from 1 to 300000/],
  ])('rejects %o with a message naming the var', (vars, message) => {
    const result = parseWorkersConfig(vars);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
