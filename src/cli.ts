// Every command of the project (the servers, the lab, the soak) answers --help and a bad option the
// same way: help on stdout and exit 0; the error on stderr and exit 2.

export type HelpOrError = { kind: 'help'; text: string } | { kind: 'error'; message: string };

/**
 * Prints and exits for `help` and `error`; returns any other parse result. `exit` is the runtime's
 * (process.exit, Deno.exit): console is the one output every runtime has.
 */
export function exitOnHelpOrError<T extends { kind: string }>(parsed: T, exit: (code: number) => never): Exclude<T, HelpOrError> {
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
