// Deno.serve has no header, idle or request timeout (docs/reliability.md#slow-and-idle-clients): a
// client that sends its request slowly, or nothing, holds its connection and a file for as long as it
// lasts. On loopback only this machine's clients reach it (a proxy in front, or a test); on any other
// address the server faces clients itself, so it says so once at start, with the way out.
import type { ServerConfig } from '../../src/config.ts';
import type { Logger } from '../../src/logger.ts';

/** Whether only this machine can connect to `host`: localhost, 127.0.0.0/8, ::1 (also IPv4-mapped). */
export function isLoopback(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name === '::1' || name === '0:0:0:0:0:0:0:1') return true;
  return /^(::ffff:)?127(\.\d{1,3}){3}$/.test(name);
}

/**
 * Logs `slow_clients_held` (a warning, once) when Deno.serve takes connections on an address other
 * than loopback; nothing with `--deno-server node`, which has Node's timeouts and cap. Called by the
 * process that owns the public address: the lone server, or the --workers supervisor (not its children).
 */
export function warnIfSlowClientsHeld(
  config: Pick<ServerConfig, 'host' | 'denoServer'>,
  logger: Logger,
  pid: number,
): void {
  if (config.denoServer !== 'serve' || isLoopback(config.host)) return;
  logger.warn(
    'slow_clients_held',
    `Deno.serve has no header, idle or request timeout: on ${config.host} a slow or silent client holds its connection for as long as it lasts. ` +
      "Facing clients without a proxy that has timeouts, serve with --deno-server node (Node's timeouts and --max-connections); see docs/reliability.md#slow-and-idle-clients",
    { worker_id: pid, host: config.host },
  );
}
