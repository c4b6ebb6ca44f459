// The Worker's settings from `[vars]` in wrangler.toml (or `wrangler dev --var NAME:value`), under
// the same names and rules as the other runtimes' environment variables: LAB_MODE,
// LAB_MAX_DELAY_MS, LAB_LOG, LAB_UI, LAB_DOCS. Vars arrive as strings, like environment variables.
import type { LogFormat } from '../../src/logger.ts';
import type { Mode } from '../../src/runtime.ts';
import { resolveServerConfig } from '../../src/config.ts';

export interface WorkersConfig {
  mode: Mode;
  maxDelayMs: number;
  log: LogFormat;
  /** GET /lab, the live lab page (LAB_UI = "on" | "off"). */
  labUi: boolean;
  /** GET /docs, Swagger UI over /openapi.json (LAB_DOCS = "on" | "off"). */
  docsUi: boolean;
}

export type WorkersConfigResult = { ok: true; config: WorkersConfig } | { ok: false; message: string };

/** Validates the vars; never throws. Settings with no meaning on Workers (port, workers, pool) are ignored. */
export function parseWorkersConfig(vars: Record<string, unknown>): WorkersConfigResult {
  const strings: Record<string, string> = {};
  for (const name of ['LAB_MODE', 'LAB_MAX_DELAY_MS', 'LAB_LOG', 'LAB_UI', 'LAB_DOCS']) {
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
  return { ok: true, config: { mode, maxDelayMs, log, labUi, docsUi } };
}
