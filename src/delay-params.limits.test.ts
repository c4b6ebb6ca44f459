// What POST /delay refuses because of where it runs: advice that names only the modes this server
// has, and blocking work above the platform's CPU limit (Workers' [limits] cpu_ms).
import { describe, expect, it } from 'vitest';
import { CPU_HEADROOM_MS, parseDelayParams, workRefusal } from './delay-params.ts';

describe('refusals that depend on the runtime', () => {
  it('advises for async cpu work only the modes the server has', () => {
    expect(workRefusal('async', 'cpu')).toMatch(/; use mode=pool or mode=blocking$/);
    expect(workRefusal('async', 'cpu', ['blocking', 'async'])).toMatch(/; use mode=blocking$/);
    const workers = parseDelayParams({ mode: 'async', work: 'cpu' }, undefined, {
      mode: 'async',
      maxDelayMs: 10_000,
      modes: ['blocking', 'async'],
    });
    expect(!workers.ok && workers.message).not.toContain('pool');
  });

  describe('with a CPU limit per request', () => {
    const defaults = { mode: 'blocking' as const, maxDelayMs: 60_000, cpuLimitMs: 30_000 };
    const most = 30_000 - CPU_HEADROOM_MS;

    it.each(['sleep', 'cpu'])('refuses blocking %s work above the limit, less the headroom, saying why', (work) => {
      expect(parseDelayParams({ mode: 'blocking', work, ms: String(most) }, undefined, defaults)).toMatchObject({
        ok: true,
      });
      const refused = parseDelayParams({ mode: 'blocking', work, ms: String(most + 1) }, undefined, defaults);
      expect(refused.ok).toBe(false);
      expect(!refused.ok && refused.message).toMatch(
        new RegExp(`^\`ms\` must be at most ${most} with mode=blocking here: .*past 30000 ms of CPU`),
      );
    });

    it('lets async waits go up to max_delay_ms: they use no CPU', () => {
      expect(parseDelayParams({ mode: 'async', ms: '60000' }, undefined, defaults)).toMatchObject({ ok: true });
    });

    it('refuses all blocking work but ms=0 when the limit is below the headroom (the Free plan, 10 ms)', () => {
      const free = { ...defaults, cpuLimitMs: 10 };
      expect(parseDelayParams({ ms: '0' }, undefined, free)).toMatchObject({ ok: true });
      expect(parseDelayParams({ ms: '1' }, undefined, free)).toMatchObject({ ok: false });
    });
  });
});
