// Requests a second with autocannon over loopback: many keep-alive connections, one process.
import autocannon from 'autocannon';

export interface Throughput {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export async function measureThroughput(url: string, options: { method?: 'GET' | 'POST'; durationS: number; connections?: number }): Promise<Throughput> {
  const result = await autocannon({ url, method: options.method ?? 'GET', duration: options.durationS, connections: options.connections ?? 50 });
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
