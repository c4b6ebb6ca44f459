// Every command of the project (the servers, the lab, the soak) answers --help and a bad option the
// same way: help on stdout and exit 0; the error on stderr and exit 2; and checks numbers alike.

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

/** `text` as a whole number from min to max, or the message that names `name` (a flag or a variable). */
export function wholeNumber(name: string, text: string, [min, max]: readonly [number, number]): number | string {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    return `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(text)}`;
  }
  return Number(text);
}
