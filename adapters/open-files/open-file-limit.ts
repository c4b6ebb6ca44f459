// The default of --max-connections (`auto`) on node:http, under Node and Deno (--deno-server node): what
// the open-file limit leaves once the process has what it needs to go on working. Node has no
// getrlimit(); Linux tells through /proc. Elsewhere there is no default cap (Infinity), as before.
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Open files a server needs beyond those it has when it starts to listen: a few per pool thread (its
 * event loop's and message ports' descriptors), and a margin for logs, IPC and the runtime's own.
 */
const FILES_PER_POOL_THREAD = 4;
const FILES_MARGIN = 64;

/** A process's open files: its soft limit (after the runtime raised it) and how many it has open now. */
export interface OpenFiles {
  limit: number;
  open: number;
}

/**
 * Reads them from `procDir` (/proc/self, or /proc/<pid> for another process); undefined where there is
 * no /proc or no limit ("unlimited").
 */
export function readOpenFiles(procDir = '/proc/self'): OpenFiles | undefined {
  try {
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync(`${procDir}/limits`, 'utf8'));
    if (!match || match[1] === 'unlimited') return undefined;
    return { limit: Number(match[1]), open: readdirSync(`${procDir}/fd`).length };
  } catch {
    return undefined;
  }
}

/** The cap those open files leave (Infinity: none known). */
export function maxConnectionsLeft(files: OpenFiles | undefined, poolThreads: number): number {
  if (!files) return Infinity;
  return Math.max(1, files.limit - files.open - poolThreads * FILES_PER_POOL_THREAD - FILES_MARGIN);
}

export function defaultMaxConnections(poolThreads: number): number {
  return maxConnectionsLeft(readOpenFiles(), poolThreads);
}
