// This process's memory, CPU time and start time for GET /metrics, through node:process, which Node,
// Bun and Deno all implement (checked on Node 20.20, Bun 1.4.5 and Deno 2.9.6; Deno asks no
// permission for it).
import process from 'node:process';
import type { ProcessStats } from '../../src/runtime.ts';

/** Read once: process.uptime() counts from the process's start, so this does not drift between scrapes. */
const START_TIME_SECONDS = Date.now() / 1000 - process.uptime();

export function processStats(): ProcessStats {
  const { rss, heapUsed } = process.memoryUsage();
  const { user, system } = process.cpuUsage();
  return {
    rssBytes: rss,
    heapUsedBytes: heapUsed,
    cpuSeconds: (user + system) / 1e6,
    startTimeSeconds: START_TIME_SECONDS,
  };
}
