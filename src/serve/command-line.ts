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
  // Before the flags' own checks: the value npm left behind would read as a stray argument.
  const swallowed = flagNpmKept(argv, env);
  if (swallowed) return { kind: 'error', message: swallowed };
  const flags = parseFlags(argv, Object.fromEntries(OPTIONS.map((o) => [o.flag, { type: 'string' as const }])));
  if (flags.error !== undefined) return { kind: 'error', message: flags.error };
  const given = flags.values;
  if (given.help) return { kind: 'help', text: helpText() };
  return resolveServerConfig(given, env, cpuCount);
}

/**
 * `npm start --port 3605` gives `--port` to npm, which keeps it as its own setting
 * (npm_config_port=true) and passes only the stray `3605` to the script: only what follows `--`
 * reaches it. Says how to pass the flag instead.
 */
function flagNpmKept(argv: readonly string[], env: Record<string, string | undefined>): string | undefined {
  const script = env.npm_lifecycle_event;
  if (script === undefined) return undefined;
  for (const { flag, value } of OPTIONS) {
    const kept = env[`npm_config_${flag.replaceAll('-', '_')}`];
    if (kept === undefined || argv.some((arg) => arg === `--${flag}` || arg.startsWith(`--${flag}=`))) continue;
    const given = kept === 'true' ? (argv.find((arg) => !arg.startsWith('-')) ?? value) : kept;
    const run = script === 'start' ? 'npm start' : `npm run ${script}`;
    return `--${flag} reached npm, not the server: npm keeps the flags given before \`--\`. Run: ${run} -- --${flag} ${given}`;
  }
  return undefined;
}
