// The default of --max-connections on Node: what the open-file limit leaves once the process has what
// it needs to go on working. Node has no getrlimit(); Linux tells through /proc. Elsewhere there is no
// default cap (Infinity), as before.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Open files a server needs beyond those it has when it starts to listen: a few per pool thread (its
 * event loop's and message ports' descriptors), and a margin for logs, IPC and the runtime's own.
 */
const FILES_PER_POOL_THREAD = 4;
const FILES_MARGIN = 64;

export function defaultMaxConnections(poolThreads: number): number {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (!match || match[1] === 'unlimited') return Infinity;
    const openNow = readdirSync('/proc/self/fd').length;
    return Math.max(1, Number(match[1]) - openNow - poolThreads * FILES_PER_POOL_THREAD - FILES_MARGIN);
  } catch {
    return Infinity;
  }
}
