// Validation of `POST /delay` parameters, from the query string or a JSON body with the same names.
import { MODES, WORKS, type Mode, type Work } from './runtime.ts';

export interface DelayParams {
  mode: Mode;
  work: Work;
  ms: number;
}

export interface DelayDefaults {
  mode: Mode;
  /** The largest `ms` a request may ask for. */
  maxDelayMs: number;
  /** The modes this server runs, for the advice of a refusal (every mode when absent). */
  modes?: readonly Mode[];
  /** The CPU time the platform allows one request (Workers' [limits] cpu_ms); absent: no limit. */
  cpuLimitMs?: number;
}

export type ParseResult = { ok: true; value: DelayParams } | { ok: false; message: string };

/** The FastAPI guide's 3 s. */
export const DEFAULT_DELAY_MS = 3000;
const PARAM_NAMES = ['mode', 'ms', 'work'] as const;
const INTEGER = /^\d{1,16}$/;

/**
 * Merges query and body and validates the result. A name given in both places must agree,
 * so that a request never means two things at once. Never throws.
 */
export function parseDelayParams(query: Record<string, string>, body: unknown, defaults: DelayDefaults): ParseResult {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    return fail('the JSON body must be an object, e.g. {"mode":"async","ms":1000}');
  }
  const bodyFields = (body ?? {}) as Record<string, unknown>;
  const raw: Partial<Record<(typeof PARAM_NAMES)[number], unknown>> = {};
  for (const name of PARAM_NAMES) {
    const fromQuery = Object.hasOwn(query, name) ? query[name] : undefined;
    const fromBody = Object.hasOwn(bodyFields, name) ? bodyFields[name] : undefined;
    if (fromQuery !== undefined && fromBody !== undefined && String(fromBody) !== fromQuery) {
      return fail(
        `\`${name}\` is given twice with different values (query ${fromQuery}, body ${String(fromBody)}); give it once`,
      );
    }
    // A JSON null is a value (and an invalid one), not an absent parameter.
    raw[name] = fromBody !== undefined ? fromBody : fromQuery;
  }
  const unknown = [...Object.keys(query), ...Object.keys(bodyFields)].filter(
    (name) => !(PARAM_NAMES as readonly string[]).includes(name),
  );
  if (unknown.length > 0) {
    return fail(`unknown parameter \`${unknown[0]}\`; the parameters are mode, ms and work`);
  }

  const mode = raw.mode === undefined ? defaults.mode : raw.mode;
  if (!isOneOf(mode, MODES)) return fail(`\`mode\` must be one of ${MODES.join(', ')}; got ${describe(mode)}`);
  const work = raw.work === undefined ? 'sleep' : raw.work;
  if (!isOneOf(work, WORKS)) return fail(`\`work\` must be one of ${WORKS.join(', ')}; got ${describe(work)}`);
  const ms = parseMs(raw.ms, defaults.maxDelayMs);
  if (typeof ms === 'string') return fail(ms);
  const refusal = workRefusal(mode, work, defaults.modes) ?? cpuLimitRefusal({ mode, work, ms }, defaults.cpuLimitMs);
  if (refusal) return fail(refusal);
  return { ok: true, value: { mode, work, ms } };
}

/** The modes a server can run: `pool` needs threads, which Workers do not have. */
export function supportedModes(hasPool: boolean): Mode[] {
  return hasPool ? [...MODES] : MODES.filter((mode) => mode !== 'pool');
}

/**
 * Why `mode` cannot run `work`, or undefined when it can. The server answers 400 with it; the lab skips
 * the pair. Its advice names only the `modes` the server has (Workers have no pool).
 */
export function workRefusal(mode: Mode, work: Work, modes: readonly Mode[] = MODES): string | undefined {
  if (mode === 'async' && work === 'cpu') {
    const instead = CPU_MODES.filter((m) => modes.includes(m)).map((m) => `mode=${m}`);
    return `\`mode=async\` cannot run \`work=cpu\`: CPU-bound work has no non-blocking form; use ${instead.join(' or ')}`;
  }
  return undefined;
}

/** The modes that run CPU work, best first. */
const CPU_MODES: readonly Mode[] = ['pool', 'blocking'];

/**
 * The CPU a request needs besides its blocking work (routing, parsing, the answer; on Workers, an
 * isolate's first blocking request also calibrates its spin): kept out of what `ms` may use.
 */
export const CPU_HEADROOM_MS = 100;

/**
 * Why `params` asks for more CPU than the platform allows one request, or undefined. Blocking work
 * (sleep or cpu: on Workers both spin) runs on the request's own CPU, and Workers stop a request past
 * `cpuLimitMs` with a page of their own (error 1102): better a 400 that says why, before any work.
 */
export function cpuLimitRefusal(params: DelayParams, cpuLimitMs: number | undefined): string | undefined {
  if (cpuLimitMs === undefined || params.mode !== 'blocking') return undefined;
  const most = Math.max(0, cpuLimitMs - CPU_HEADROOM_MS);
  if (params.ms <= most) return undefined;
  const instead = params.work === 'sleep' ? '; mode=async waits without using CPU' : '';
  return (
    `\`ms\` must be at most ${most} with mode=blocking here: blocking work uses this request's CPU, and the ` +
    `platform stops a request past ${cpuLimitMs} ms of CPU (LAB_CPU_LIMIT_MS, [limits] cpu_ms)${instead}; got ${params.ms}`
  );
}

function parseMs(value: unknown, max: number): number | string {
  if (value === undefined) return Math.min(DEFAULT_DELAY_MS, max);
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !INTEGER.test(text)) {
    return `\`ms\` must be a whole number of milliseconds from 0 to ${max}; got ${describe(value)}`;
  }
  const ms = Number(text);
  if (ms > max) return `\`ms\` must be at most ${max} (this server's --max-delay-ms); got ${ms}`;
  return ms;
}

function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value);
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function fail(message: string): ParseResult {
  return { ok: false, message };
}
