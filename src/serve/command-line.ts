// A server process's command line: argv → flags as every command reads them (../cli.ts: node:util's
// parseArgs, which Node, Bun and Deno all provide), then the same rules as every other source of
// settings (../config.ts).
import { parseFlags } from '../cli.ts';
import { helpText, OPTIONS, resolveServerConfig, type ConfigResult } from '../config.ts';

/** Reads flags (`--name value` or `--name=value`), then environment, then defaults. Never throws. */
export function parseServerConfig(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  cpuCount: number,
): ConfigResult {
  const flags = parseFlags(argv, Object.fromEntries(OPTIONS.map((o) => [o.flag, { type: 'string' as const }])));
  if (flags.error !== undefined) return { kind: 'error', message: flags.error };
  const given = flags.values;
  if (given.help) return { kind: 'help', text: helpText() };
  return resolveServerConfig(given, env, cpuCount);
}
