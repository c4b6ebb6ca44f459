// A server process's command line: argv → flags with node:util's parseArgs (which Node, Bun and Deno
// all provide), then the same rules as every other source of settings (../config.ts).
import { parseArgs } from 'node:util';
import { helpText, OPTIONS, resolveServerConfig, type ConfigResult } from '../config.ts';

/** Reads flags (`--name value` or `--name=value`), then environment, then defaults. Never throws. */
export function parseServerConfig(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  cpuCount: number,
): ConfigResult {
  let given;
  try {
    given = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(OPTIONS.map((o) => [o.flag, { type: 'string' as const }])),
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return { kind: 'error', message: `${(error as Error).message}; see --help` };
  }
  if (given.help) return { kind: 'help', text: helpText() };
  return resolveServerConfig(given, env, cpuCount);
}
