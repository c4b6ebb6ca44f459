// One project for the unit tests and one per runtime for the contract suite: `vitest run --project node`.
import { defineConfig } from 'vitest/config';

const contractProject = (runtime: string) => ({
  test: {
    name: runtime,
    include: ['test/contract/**/*.test.ts'],
    env: { CONTRACT_RUNTIME: runtime },
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'src/**/*.test.ts'] } },
      contractProject('node'),
      contractProject('workerd'),
      // bun also runs the test of its --workers supervisor.
      { test: { ...contractProject('bun').test, include: ['test/contract/**/*.test.ts', 'test/supervisor/bun-*.test.ts'] } },
      contractProject('deno'),
      { test: { name: 'lab', include: ['test/lab/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 } },
    ],
  },
});
