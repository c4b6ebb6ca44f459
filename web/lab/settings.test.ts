import { describe, expect, it } from 'vitest';
import { DEFAULTS, modesOf, parseSettings, settingsQuery } from './settings.ts';

describe('the live lab settings in the query string', () => {
  it('reads a shared link, run=1 included', () => {
    expect(parseSettings('?mode=blocking&n=4&ms=300&run=1', 60_000)).toEqual({
      settings: { mode: 'blocking', work: 'sleep', n: 4, ms: 300, health: true, run: true },
      problems: [],
    });
  });

  it('falls back to the defaults for bad values, and says which and why', () => {
    const { settings, problems } = parseSettings('?mode=turbo&n=500&ms=-1&work=dance&health=maybe', 5_000);
    expect(settings).toEqual({ ...DEFAULTS });
    expect(problems).toHaveLength(5);
    expect(problems.join(' ')).toMatch(
      /mode=turbo.*work=dance.*n=500.*from 1 to 100.*ms=-1.*from 0 to 5000.*health=maybe/,
    );
  });

  it('keeps ms within the server max_delay_ms, default included', () => {
    expect(parseSettings('?ms=900', 500).problems).toEqual(['ms=900 is not a whole number from 0 to 500']);
    expect(parseSettings('', 500).settings.ms).toBe(500);
  });

  it('writes what it reads', () => {
    const settings = { mode: 'all' as const, work: 'cpu' as const, n: 12, ms: 250, health: false, run: true };
    const query = settingsQuery(settings);
    expect(query).toBe('?mode=all&work=cpu&n=12&ms=250&health=off&run=1');
    expect(parseSettings(query, 60_000).settings).toEqual(settings);
    expect(settingsQuery(settings, { run: false })).not.toContain('run=');
  });

  it('every mode means blocking, async and pool, in that order', () => {
    expect(modesOf('all')).toEqual(['blocking', 'async', 'pool']);
    expect(modesOf('pool')).toEqual(['pool']);
  });
});
