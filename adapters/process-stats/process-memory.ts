// This process's memory for GET /metrics, through node:process, which Node and Bun both have.
export function processMemory(): { rssBytes: number; heapUsedBytes: number } {
  const { rss, heapUsed } = process.memoryUsage();
  return { rssBytes: rss, heapUsedBytes: heapUsed };
}
