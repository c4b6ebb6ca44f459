// The Worker's settings from `[vars]` in wrangler.toml (or `wrangler dev --var NAME:value`), under
// the same names and rules as the other runtimes' environment variables: LAB_MODE,
// LAB_MAX_DELAY_MS, LAB_LOG, LAB_UI, LAB_DOCS; and one of Workers' own, LAB_CPU_LIMIT_MS. Vars arrive as
// strings, like environment variables.
import type { LogFormat } from '../../src/logger.ts';
import type { Mode } from '../../src/runtime.ts';
import { resolveServerConfig } from '../../src/config.ts';
import { wholeNumber } from '../../src/whole-number.ts';

/**
 * The most CPU time a Worker can be given per request (a paid plan's `[limits] cpu_ms` goes up to
 * 5 minutes), and so the most any setting here may ask for: no request of this app can run longer
 * on its CPU, and a wait longer than that is not a lesson of this lab.
 */
export const MAX_CPU_LIMIT_MS = 300_000;
/** A paid plan's CPU time per request when wrangler.toml sets no `[limits] cpu_ms`. */
export const DEFAULT_CPU_LIMIT_MS = 30_000;

export interface WorkersConfig {
  mode: Mode;
  maxDelayMs: number;
  log: LogFormat;
  /** GET /lab, the live lab page (LAB_UI = "on" | "off"). */
  labUi: boolean;
  /** GET /docs, Swagger UI over /openapi.json (LAB_DOCS = "on" | "off"). */
  docsUi: boolean;
  /**
   * LAB_CPU_LIMIT_MS: the CPU time Cloudflare allows one request, the same number as `[limits] cpu_ms`
   * (a Worker cannot read its own limits, so a var repeats it; a unit test keeps the two equal).
   */
  cpuLimitMs: number;
}

export type WorkersConfigResult = { ok: true; config: WorkersConfig } | { ok: false; message: string };

/** Validates the vars; never throws. Settings with no meaning on Workers (port, workers, pool) are ignored. */
export function parseWorkersConfig(vars: Record<string, unknown>): WorkersConfigResult {
  const strings: Record<string, string> = {};
  for (const name of ['LAB_MODE', 'LAB_MAX_DELAY_MS', 'LAB_LOG', 'LAB_UI', 'LAB_DOCS', 'LAB_CPU_LIMIT_MS']) {
    const value = vars[name];
    if (value === undefined) continue;
    if (typeof value !== 'string')
      return { ok: false, message: `${name} in [vars] must be a string; got ${JSON.stringify(value)}` };
    strings[name] = value;
  }
  const parsed = resolveServerConfig({}, strings, 1);
  if (parsed.kind !== 'config') {
    const message = parsed.kind === 'error' ? parsed.message : 'unexpected help request';
    return { ok: false, message: message.replace('(environment)', 'in [vars]') };
  }
  const { mode, maxDelayMs, log, labUi, docsUi } = parsed.config;
  // A default every request would answer 501 to is a mistake to report, not to serve.
  if (mode === 'pool')
    return {
      ok: false,
      message: 'LAB_MODE in [vars] cannot be pool: Workers have no worker pool; use blocking or async',
    };
  if (maxDelayMs > MAX_CPU_LIMIT_MS)
    return {
      ok: false,
      message: `LAB_MAX_DELAY_MS in [vars] must be at most ${MAX_CPU_LIMIT_MS} on Workers (the most CPU time a Worker can be given); got ${maxDelayMs}`,
    };
  const cpuLimitMs = wholeNumber(
    'LAB_CPU_LIMIT_MS in [vars]',
    strings.LAB_CPU_LIMIT_MS ?? String(DEFAULT_CPU_LIMIT_MS),
    [1, MAX_CPU_LIMIT_MS],
  );
  if (typeof cpuLimitMs === 'string') return { ok: false, message: cpuLimitMs };
  return { ok: true, config: { mode, maxDelayMs, log, labUi, docsUi, cpuLimitMs } };
}
