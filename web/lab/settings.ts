// The live lab's settings and the query string that holds them: a link is an experiment to share,
// and `run=1` starts it on load (/lab?mode=blocking&n=4&ms=300&run=1). Pure.
import type { Mode, Work } from '../../src/runtime.ts';

export type ModeChoice = Mode | 'all';

export interface LabSettings {
  /** One mode, or `all`: every mode the server has, side by side. */
  mode: ModeChoice;
  work: Work;
  /** Concurrent requests, 1 to MAX_N. */
  n: number;
  /** Each request's work, 0 to the server's max_delay_ms. */
  ms: number;
  /** Whether GET /health is probed while the requests run. */
  health: boolean;
  /** Start a run on load. */
  run: boolean;
}

export const MAX_N = 100;
export const DEFAULTS: LabSettings = { mode: 'async', work: 'sleep', n: 4, ms: 1000, health: true, run: false };
const MODE_CHOICES: readonly ModeChoice[] = ['blocking', 'async', 'pool', 'all'];
const WORK_CHOICES: readonly Work[] = ['sleep', 'cpu'];

export interface ParsedSettings {
  settings: LabSettings;
  /** What in the query was ignored and why, in words for the page. */
  problems: string[];
}

/** Reads the settings from a query string; a bad value falls back to its default and is reported. */
export function parseSettings(search: string, maxDelayMs: number): ParsedSettings {
  const query = new URLSearchParams(search);
  const problems: string[] = [];
  const settings: LabSettings = { ...DEFAULTS, ms: Math.min(DEFAULTS.ms, maxDelayMs) };
  const text = (name: string): string | undefined => query.get(name) ?? undefined;

  const mode = text('mode');
  if (mode !== undefined) {
    if ((MODE_CHOICES as readonly string[]).includes(mode)) settings.mode = mode as ModeChoice;
    else problems.push(`mode=${mode} is not one of ${MODE_CHOICES.join(', ')}`);
  }
  const work = text('work');
  if (work !== undefined) {
    if ((WORK_CHOICES as readonly string[]).includes(work)) settings.work = work as Work;
    else problems.push(`work=${work} is not one of ${WORK_CHOICES.join(', ')}`);
  }
  const whole = (name: 'n' | 'ms', min: number, max: number): void => {
    const value = text(name);
    if (value === undefined) return;
    if (/^\d{1,9}$/.test(value) && Number(value) >= min && Number(value) <= max) settings[name] = Number(value);
    else problems.push(`${name}=${value} is not a whole number from ${min} to ${max}`);
  };
  whole('n', 1, MAX_N);
  whole('ms', 0, maxDelayMs);
  const health = text('health');
  if (health !== undefined) {
    if (health === 'on' || health === 'off') settings.health = health === 'on';
    else problems.push(`health=${health} is not on or off`);
  }
  settings.run = text('run') === '1';
  return { settings, problems };
}

/** The query string for `settings`: only what differs from the defaults, in a fixed order. */
export function settingsQuery(settings: LabSettings, { run = settings.run }: { run?: boolean } = {}): string {
  const query = new URLSearchParams();
  query.set('mode', settings.mode);
  if (settings.work !== DEFAULTS.work) query.set('work', settings.work);
  query.set('n', String(settings.n));
  query.set('ms', String(settings.ms));
  if (settings.health !== DEFAULTS.health) query.set('health', settings.health ? 'on' : 'off');
  if (run) query.set('run', '1');
  return `?${query.toString()}`;
}

/** The modes a run of `choice` covers, in the order they run and are shown. */
export function modesOf(choice: ModeChoice): Mode[] {
  return choice === 'all' ? ['blocking', 'async', 'pool'] : [choice];
}
