// Whether a runtime of the matrix can be started here: its binary and its entry files exist.
// Other branches add runtimes whose adapter or binary may be missing on a machine; the lab reports
// those as "not available" instead of failing to spawn them.
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { REPO_ROOT } from '../harness/repo-root.ts';
import type { RuntimeUnderTest } from '../harness/runtimes.ts';

/** Arguments that name a file of the repository: a path with a slash and a script or config extension. */
const FILE_ARGUMENT = /^[^-][^=]*\/[^=]*\.(?:[cm]?[jt]s|toml|json)$/;

/** Why `runtime` cannot run here, or undefined when it can. */
export function unavailableReason(runtime: RuntimeUnderTest, root = REPO_ROOT): string | undefined {
  const { command, args } = runtime.command(0, {});
  if (!findExecutable(command, root)) return `${command} is not installed`;
  const missing = args.filter((arg) => FILE_ARGUMENT.test(arg) && !existsSync(resolve(root, arg)));
  if (missing.length > 0) return `${missing.join(', ')} is missing (no ${runtime.name} adapter on this branch?)`;
  return undefined;
}

function findExecutable(command: string, root: string): string | undefined {
  const candidates =
    isAbsolute(command) || command.includes('/')
      ? [resolve(root, command)]
      : [join(root, 'node_modules', '.bin'), ...(process.env.PATH ?? '').split(delimiter)]
          .filter(Boolean)
          .map((dir) => join(dir, command));
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
