// The child's half of the ProcessSupervisor protocol (./process-supervisor.ts), in node: APIs that Bun
// and Deno both provide. A supervised child (1) serves a private loopback port behind the supervisor's
// balancer, or the shared port with reusePort under --balance kernel, (2) says on
// stderr when it listens, and where, (its stdout is the terminal's, untouched), (3) stops gracefully on
// SIGINT/SIGTERM like a lone server, and (4) stops when its stdin reaches EOF: the supervisor holds the
// only write end of that pipe, so EOF means the supervisor is gone, even if it was killed with SIGKILL
// and could forward nothing.
import process from 'node:process';
import type { ProcessInfo } from '../../src/runtime.ts';
import { balancedProcesses, type BalanceMode } from '../../src/serve/balance.ts';

/** Set in a child's environment by the supervisor; the runtime's entry then serves instead of supervising. */
export const SUPERVISED_CHILD_ENV = 'LAB_SUPERVISED_CHILD';

/**
 * The stderr line a child prints once it listens, with its port: `{"supervised_child":"ready","port":N}`.
 * The supervisor swallows it and passes every other line on.
 */
const CHILD_READY_PREFIX = '{"supervised_child":"ready"';

/** The port in a child's ready line, or undefined for any other line. */
export function readyPort(line: string): number | undefined {
  if (!line.startsWith(CHILD_READY_PREFIX)) return undefined;
  const { port } = JSON.parse(line) as { port: number };
  return port;
}

/** Where a child listens when the supervisor balances (least-busy, round-robin): loopback, a port of its own. */
export const CHILD_PRIVATE_ADDRESS = { host: '127.0.0.1', port: 0 };

export function isSupervisedChild(env: Record<string, string | undefined>): boolean {
  return env[SUPERVISED_CHILD_ENV] === '1';
}

/** Bun's and Deno's own facts about each way of balancing, for /info. */
const HOW: Record<BalanceMode, string> = {
  'least-busy':
    'Here the supervisor carries the bytes between each client and its process (a TCP proxy on loopback): Bun and Deno cannot pass a socket to another process',
  'round-robin': 'Here the supervisor carries the bytes between each client and its process (a TCP proxy on loopback)',
  kernel:
    "Here SO_REUSEPORT: every process listens on the port and Linux hashes each new connection's addresses and ports to one of them. " +
    'Not round-robin: the spread is uneven, and a keep-alive connection stays on its process, so a few long-lived clients can all land on one',
};

/** What /info says about a child's siblings. */
export function supervisedProcesses(count: number, balance: BalanceMode): ProcessInfo {
  return balancedProcesses(count, balance, HOW[balance]);
}

/** Tells the supervisor that this child accepts connections, at `url`. */
export function reportChildReady(url: string): void {
  process.stderr.write(`${CHILD_READY_PREFIX},"port":${Number(new URL(url).port)}}\n`);
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
