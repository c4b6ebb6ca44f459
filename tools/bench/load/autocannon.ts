// autocannon as the load generator: it runs in this process, on its one thread, so its ceiling
// (the most requests a second it can make at all) is low, and the bench measures it in every run.
import { createRequire } from 'node:module';
import autocannon from 'autocannon';
import type { LoadGenerator, LoadOptions, LoadResult } from './generator.ts';

async function run(options: autocannon.Options): Promise<LoadResult & { wallS: number }> {
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await autocannon(options);
  const wallS = (performance.now() - startedAt) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    generatorCpuShare: (cpu.user + cpu.system) / 1e6 / wallS,
    wallS,
  };
}

export async function autocannonGenerator(): Promise<LoadGenerator> {
  const version = (createRequire(import.meta.url)('autocannon/package.json') as { version: string }).version;
  return {
    name: 'autocannon',
    description: `autocannon ${version} (in the bench's own Node process, one thread)`,
    throughput: (url: string, options: LoadOptions & { durationS: number }) =>
      run({ url, method: options.method ?? 'GET', duration: options.durationS, connections: options.connections }),
    fixedCount: async (url: string, options: LoadOptions & { requests: number }) => {
      const result = await run({
        url,
        method: options.method ?? 'GET',
        amount: options.requests,
        connections: options.connections,
      });
      // autocannon's average is of whole-second samples, which a short fixed-count run may not fill.
      return { ...result, requestsPerSecond: result.requests / result.wallS };
    },
    // autocannon runs inside this process: it ends with it.
    stopAll: () => undefined,
  };
}
