// Validation of `POST /delay` parameters, from the query string or a JSON body with the same names.
// One description (delayParamsSchema, valibot) gives both the check and /openapi.json's parameters and
// body (src/api/openapi-document.ts), so the two cannot drift.
import * as v from 'valibot';
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
/** Digits only: a query's `ms` is text; 16 digits at most, so that Number() reads it exactly. */
const INTEGER = /^\d{1,16}$/;

/**
 * POST /delay's parameters under this server's settings: their types, enums, ranges, defaults and the
 * words of each refusal. `mode` lists every mode the API knows: one this runtime lacks is a 501, not a 400.
 */
export function delayParamsSchema({ mode: defaultMode, maxDelayMs }: DelayDefaults) {
  const msProblem = (issue: v.BaseIssue<unknown>): string =>
    issue.type === 'max_value'
      ? `\`ms\` must be at most ${maxDelayMs} (this server's --max-delay-ms); got ${describe(issue.input)}`
      : `\`ms\` must be a whole number of milliseconds from 0 to ${maxDelayMs}; got ${describe(issue.input)}`;
  return v.strictObject({
    mode: v.optional(
      v.pipe(
        v.picklist(MODES, (issue) => `\`mode\` must be one of ${MODES.join(', ')}; got ${describe(issue.input)}`),
        v.description(
          "How the work runs: blocking holds the event loop, async waits on a timer, pool runs it on a pool thread. The default is the server's --mode; GET /info lists the modes this server runs (another answers 501).",
        ),
      ),
      defaultMode,
    ),
    work: v.optional(
      v.pipe(
        v.picklist(WORKS, (issue) => `\`work\` must be one of ${WORKS.join(', ')}; got ${describe(issue.input)}`),
        v.description('What the work is: an idle wait (sleep) or CPU-bound computation (cpu; not with mode=async).'),
      ),
      'sleep',
    ),
    ms: v.optional(
      v.pipe(
        v.number(msProblem),
        v.integer(msProblem),
        v.minValue(0, msProblem),
        v.maxValue(maxDelayMs, msProblem),
        v.description("How long the work lasts, in milliseconds; at most this server's --max-delay-ms."),
      ),
      Math.min(DEFAULT_DELAY_MS, maxDelayMs),
    ),
  });
}

export type DelayParamsSchema = ReturnType<typeof delayParamsSchema>;

/** The schema of the last settings asked for, and its names: one server has one set, so this is built once. */
let cached: { mode: Mode; maxDelayMs: number; schema: DelayParamsSchema; names: string[] } | undefined;
function schemaFor(defaults: DelayDefaults): { schema: DelayParamsSchema; names: string[] } {
  if (cached?.mode !== defaults.mode || cached.maxDelayMs !== defaults.maxDelayMs) {
    const schema = delayParamsSchema(defaults);
    cached = { ...defaults, schema, names: Object.keys(schema.entries) };
  }
  return cached;
}
/** The first refusal is the one reported: no need to look further. */
const FIRST_ISSUE = { abortEarly: true } as const;

/**
 * Merges query and body and validates the result. A name given in both places must agree,
 * so that a request never means two things at once. Never throws.
 */
export function parseDelayParams(query: Record<string, string>, body: unknown, defaults: DelayDefaults): ParseResult {
  if (body !== undefined && (typeof body !== 'object' || body === null || Array.isArray(body))) {
    return fail('the JSON body must be an object, e.g. {"mode":"async","ms":1000}');
  }
  const { schema, names } = schemaFor(defaults);
  const bodyFields = (body ?? {}) as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const name of names) {
    const fromQuery = Object.hasOwn(query, name) ? query[name] : undefined;
    const fromBody = Object.hasOwn(bodyFields, name) ? bodyFields[name] : undefined;
    if (fromQuery !== undefined && fromBody !== undefined && String(fromBody) !== fromQuery) {
      return fail(
        `\`${name}\` is given twice with different values (query ${fromQuery}, body ${String(fromBody)}); give it once`,
      );
    }
    // A JSON null is a value (and an invalid one), not an absent parameter.
    const value = fromBody !== undefined ? fromBody : fromQuery;
    if (value !== undefined) raw[name] = value;
  }
  const unknown = firstUnknown(query, names) ?? firstUnknown(bodyFields, names);
  if (unknown !== undefined) return fail(`unknown parameter \`${unknown}\`; the parameters are ${names.join(', ')}`);
  // A query's ms is text: digits are read as the number they write; anything else stays text, and fails.
  if (typeof raw.ms === 'string' && INTEGER.test(raw.ms)) raw.ms = Number(raw.ms);

  const checked = v.safeParse(schema, raw, FIRST_ISSUE);
  if (!checked.success) return fail(checked.issues[0].message);
  const { mode, work, ms } = checked.output;
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

/** The first name of `fields` that is not a parameter (without building the list of all such names, on every request). */
function firstUnknown(fields: object, names: readonly string[]): string | undefined {
  for (const name of Object.keys(fields)) if (!names.includes(name)) return name;
  return undefined;
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function fail(message: string): ParseResult {
  return { ok: false, message };
}
