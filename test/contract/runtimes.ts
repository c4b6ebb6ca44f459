// The test matrix is shared with the lab and the benchmarks: see src/lab/runtimes.ts.
export * from '../../src/lab/runtimes.ts';
