// How often the kernel's listen queues overflowed: when 10,000 connections arrive at once, those that
// find the accept queue full (its length is capped by net.core.somaxconn) are dropped and retried by
// TCP 1, 3 or 7 s later, which shows in the scale row's tail. Linux only; undefined elsewhere.
import { readFileSync } from 'node:fs';

/** TcpExt's ListenOverflows from /proc/net/netstat's text: every listener of this network namespace. */
export function listenOverflows(netstat: string): number | undefined {
  const lines = netstat.split('\n').filter((line) => line.startsWith('TcpExt:'));
  const names = lines[0]?.split(/\s+/);
  const values = lines[1]?.split(/\s+/);
  const at = names?.indexOf('ListenOverflows') ?? -1;
  const value = at > 0 ? Number(values?.[at]) : Number.NaN;
  return Number.isSafeInteger(value) ? value : undefined;
}

function readOr(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The overflows counted so far on this machine (network namespace). */
export function listenOverflowsNow(): number | undefined {
  const text = readOr('/proc/net/netstat');
  return text === undefined ? undefined : listenOverflows(text);
}

/** net.core.somaxconn: the longest accept queue a listener gets, whatever backlog it asks for. */
export function somaxconn(): number | undefined {
  const value = Number(readOr('/proc/sys/net/core/somaxconn')?.trim());
  return Number.isSafeInteger(value) ? value : undefined;
}
