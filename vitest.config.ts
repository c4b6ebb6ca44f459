// One project for the unit tests and one per runtime for the contract suite: `vitest run --project node`.
import { defineConfig } from 'vitest/config';

const contractProject = (runtime: string, exclude: string[] = []) => ({
  test: {
    name: runtime,
    include: ['test/contract/**/*.test.ts'],
    exclude,
    env: { CONTRACT_RUNTIME: runtime },
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});

/** Suites of Deno alone: its `--deno-server node` (docs/runtimes.md); other projects would find no test in them. */
const DENO_ONLY = ['test/contract/deno-server-node-cap.test.ts'];

/** Suites of one runtime with every server they start under `--workers 2`, through the balancer. */
const balancedProject = (runtime: string, include: string[]) => ({
  test: {
    ...contractProject(runtime).test,
    name: `${runtime}-workers`,
    include,
    env: { CONTRACT_RUNTIME: runtime, CONTRACT_WORKERS: '2' },
  },
});

export default defineConfig({
  test: {
    // Two test files at once on this project's 2-core machines (vitest's default is cores - 1, one
    // file at a time). The suites mostly wait on servers in other processes, so two at once take
    // about half as long. What they judge does not depend on the machine's speed: intervals the
    // servers report, and CPU work sized by each server's own calibration on the loaded machine.
    maxWorkers: 2,
    // Which Chromium the browser suites drive, decided and named once (CHROMIUM, the system's, or npm's).
    globalSetup: ['test/support/chromium-setup.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'adapters/**/*.test.ts', 'tools/**/*.test.ts', 'web/**/*.test.ts'],
        },
      },
      contractProject('node', DENO_ONLY),
      // Workers has no processes of its own to supervise or balance, nor open files to flood: the
      // platform scales isolates. Nor a socket
      // of its own: wrangler dev's proxy parses every request before workerd (odd requests).
      contractProject('workerd', [
        'test/contract/supervision.test.ts',
        'test/contract/balance.test.ts',
        'test/contract/flood.test.ts',
        'test/contract/odd-requests.test.ts',
        'test/contract/slow-clients.test.ts',
        ...DENO_ONLY,
      ]),
      contractProject('bun', DENO_ONLY),
      contractProject('deno'),
      // The kept-alive connection suite once more through the --workers balancer (CONTRACT_WORKERS,
      // tools/harness/start-runtime.ts): pipelining, bodies left unread and slow clients, carried by
      // the supervisor. Any suite runs that way by hand, e.g. `CONTRACT_WORKERS=2 npx vitest run
      // --project node test/contract/contract.test.ts`; CI keeps to this one, for time.
      ...['node', 'bun', 'deno'].map((runtime) => balancedProject(runtime, ['test/contract/keep-alive.test.ts'])),
      { test: { name: 'browser', include: ['test/browser/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 120_000 } },
      { test: { name: 'soak', include: ['test/soak/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 30_000 } },
    ],
  },
});
