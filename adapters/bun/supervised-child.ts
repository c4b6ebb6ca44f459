// The child's half of the ProcessSupervisor protocol, in node: APIs that Bun and Deno both provide.
// A supervised child (1) says on stdout when it listens, (2) stops gracefully on SIGTERM/SIGINT, and
// (3) stops when its stdin reaches EOF: the supervisor holds the only write end of that pipe, so EOF
// means the supervisor is gone, even if it was killed with SIGKILL and could forward nothing.

/** Set in a child's environment by the supervisor; the entry then serves instead of supervising. */
export const SUPERVISED_CHILD_ENV = 'LAB_SUPERVISED_CHILD';

/** The line a child prints once it listens. The supervisor swallows it; every other line is passed on. */
export const CHILD_READY_LINE = '{"supervised_child":"ready"}';

export function isSupervisedChild(env: Record<string, string | undefined>): boolean {
  return env[SUPERVISED_CHILD_ENV] === '1';
}

/** Tells the supervisor that this child accepts connections. */
export function reportChildReady(): void {
  process.stdout.write(`${CHILD_READY_LINE}\n`);
}

/** Calls `onGone` once, when the supervisor's end of stdin closes. */
export function onSupervisorGone(onGone: () => void): void {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    onGone();
  };
  process.stdin.on('end', once);
  process.stdin.on('error', once);
  process.stdin.on('data', () => {}); // the supervisor sends nothing; reading is how EOF is seen
  process.stdin.resume();
}
