// Every command of the project (the servers, the lab, the soak) reads its flags the same way
// (node:util parseArgs: strict, no positional arguments, -h/--help) and answers --help and a bad option
// the same way: help on stdout and exit 0; the error on stderr and exit 2.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type HelpOrError = { kind: 'help'; text: string } | { kind: 'error'; message: string };

/**
 * Prints and exits for `help` and `error`; returns any other parse result. `exit` is the runtime's
 * (process.exit, Deno.exit): console is the one output every runtime has.
 */
export function exitOnHelpOrError<T extends { kind: string }>(
  parsed: T,
  exit: (code: number) => never,
): Exclude<T, HelpOrError> {
  const outcome = parsed as T | HelpOrError;
  if (outcome.kind === 'help') {
    console.log((outcome as { text: string }).text.trimEnd());
    return exit(0);
  }
  if (outcome.kind === 'error') {
    console.error(`error: ${(outcome as { message: string }).message}`);
    return exit(2);
  }
  return parsed as Exclude<T, HelpOrError>;
}

/** argv → the values of `options`, with -h/--help added; or the message for an unknown or malformed flag. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: T) {
  try {
    const parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { ...options, help: { type: 'boolean', short: 'h', default: false } },
    });
    return { values: parsed.values };
  } catch (error) {
    return { error: `${(error as Error).message}; see --help` };
  }
}
