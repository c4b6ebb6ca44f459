// The load generator the bench drives: wrk when it is on PATH, autocannon (in this process) when not.
// Both answer the same two questions: requests a second over a duration, and a fixed number of
// requests (for the CPU-per-request figure, which must not depend on how fast the generator is).

export interface LoadResult {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number | undefined;
  p99Ms: number | undefined;
  /** Socket errors and timeouts. */
  errors: number;
  /** Answers with an error status (wrk: above 399; autocannon: outside 2xx). */
  non2xx: number;
  /** The generator's own CPU time ÷ (wall time × the threads it ran): near 1 means it, not the server, set the pace. */
  generatorCpuShare: number | undefined;
}

export interface LoadOptions {
  method?: 'GET' | 'POST';
  connections: number;
}

export interface LoadGenerator {
  name: 'wrk' | 'autocannon';
  /** What to print: name, version and where it came from. */
  description: string;
  /** Load for `durationS` whole seconds on `connections` kept-alive connections. */
  throughput(url: string, options: LoadOptions & { durationS: number }): Promise<LoadResult>;
  /** `requests` requests (at least; a few more may be in flight when it stops), then stop. */
  fixedCount(url: string, options: LoadOptions & { requests: number }): Promise<LoadResult>;
  /** Kills any run still going: on Ctrl-C or failure. */
  stopAll(): void;
}

export type GeneratorChoice = 'auto' | 'wrk' | 'autocannon';

export async function chooseGenerator(choice: GeneratorChoice): Promise<{ generator: LoadGenerator; why: string }> {
  const { findWrk, wrkGenerator } = await import('./wrk.ts');
  const { autocannonGenerator } = await import('./autocannon.ts');
  if (choice === 'autocannon')
    return { generator: await autocannonGenerator(), why: 'chosen with --generator autocannon' };
  const wrk = findWrk();
  if (wrk)
    return {
      generator: await wrkGenerator(wrk),
      why: choice === 'wrk' ? 'chosen with --generator wrk' : 'wrk is on PATH',
    };
  if (choice === 'wrk') throw new Error('--generator wrk: wrk is not on PATH (Debian: apt-get install wrk)');
  return {
    generator: await autocannonGenerator(),
    why: 'wrk is not on PATH (Debian: apt-get install wrk), so autocannon',
  };
}
