// Checks the command-line tools (lab, soak) share: each returns the message to print, or undefined.
// (Whole numbers are checked by src/cli.ts's wholeNumber, as the servers' flags are.)

/** `--runtime`: one of the matrix's runtimes, or all of them. */
export function runtimeChoice(value: string, knownRuntimes: readonly string[]): string | undefined {
  const choices = [...knownRuntimes, 'all'];
  return choices.includes(value)
    ? undefined
    : `--runtime must be one of ${choices.join(', ')}; got ${JSON.stringify(value)}`;
}

/**
 * `--url`: a server someone else started, so the flags that would shape a server we start
 * (`fixedByServer`) cannot apply to it. Returns the message, or undefined when the URL is fine.
 */
export function serverUrlProblem(
  value: string,
  argv: readonly string[],
  fixedByServer: readonly string[],
): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `--url must be an absolute http URL like http://127.0.0.1:3000; got ${JSON.stringify(value)}`;
  }
  if (url.protocol !== 'http:') return `--url must use http:, got ${url.protocol}`;
  if (argv.some((arg) => fixedByServer.some((flag) => arg.startsWith(flag)))) {
    return `--url targets a server that is already running: ${fixedByServer.join(', ')} cannot change it`;
  }
  return undefined;
}
