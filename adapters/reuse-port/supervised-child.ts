// The child's half of the ProcessSupervisor protocol (./process-supervisor.ts), in node: APIs that Bun
// and Deno both provide. A supervised child (1) serves the shared port with reusePort, (2) says on
// stderr when it listens (its stdout is the terminal's, untouched), (3) stops gracefully on
// SIGINT/SIGTERM like a lone server, and (4) stops when its stdin reaches EOF: the supervisor holds the
// only write end of that pipe, so EOF means the supervisor is gone, even if it was killed with SIGKILL
// and could forward nothing.
import process from 'node:process';
import type { ProcessInfo } from '../../src/runtime.ts';

/** Set in a child's environment by the supervisor; the runtime's entry then serves instead of supervising. */
export const SUPERVISED_CHILD_ENV = 'LAB_SUPERVISED_CHILD';

/** The stderr line a child prints once it listens. The supervisor swallows it and passes every other line on. */
export const CHILD_READY_LINE = '{"supervised_child":"ready"}';

export function isSupervisedChild(env: Record<string, string | undefined>): boolean {
  return env[SUPERVISED_CHILD_ENV] === '1';
}

/**
 * What /info says about a child's siblings. Linux hashes each new connection's addresses and ports to
 * one of the listening sockets: a random spread, not a turn each (docs/runtimes.md has a measurement).
 */
export function reusePortProcesses(count: number): ProcessInfo {
  return {
    count,
    balancing:
      'SO_REUSEPORT: every process listens on the port and the Linux kernel picks one per new connection by hashing its addresses and ports. ' +
      'Not round-robin: the spread is uneven, and a keep-alive connection stays on its process, so a few long-lived clients can all land on one.',
  };
}

/** Tells the supervisor that this child accepts connections. */
export function reportChildReady(): void {
  process.stderr.write(`${CHILD_READY_LINE}\n`);
}

/**
 * Calls `onGone` once, when the supervisor's end of stdin closes, with the reason to log. Besides the
 * supervisor's death, Deno's node:child_process closes a child's stdin when it sends it a signal
 * (seen on Deno 2.9.6), so a child under a Deno supervisor may see the EOF just before the SIGTERM.
 */
export function onSupervisorGone(onGone: (reason: string) => void): void {
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    onGone('stdin closed: the supervisor is gone or stopping this process');
  };
  process.stdin.on('end', once);
  process.stdin.on('error', once);
  process.stdin.on('data', () => {}); // the supervisor sends nothing; reading is how EOF is seen
  process.stdin.resume();
}
