// Run by test/unit/deno-pool-faults.test.ts under Deno: the Web Worker pool under faults. Prints one
// JSON line of what happened, for the test to judge.
import { WebWorkerPool } from '../../adapters/deno/web-worker-pool.ts';

const pool = new WebWorkerPool({ maxThreads: 1, maxQueue: 10, workerModule: new URL('./faulty-web-worker.ts', import.meta.url), taskGraceMs: 200 });
const outcome = (p: Promise<unknown>) => p.then((value) => ({ ok: value }), (error: Error) => ({ error: error.message }));

const before = await outcome(pool.run(1, 'sleep'));
const thrown = await outcome(pool.run(1, 'throw' as 'sleep'));
const afterThrow = await outcome(pool.run(1, 'sleep'));
const closed = await outcome(pool.run(1, 'close' as 'sleep'));
const afterClose = await outcome(pool.run(1, 'sleep'));
const stats = pool.stats();
await pool.close();
console.log(JSON.stringify({ before, thrown, afterThrow, closed, afterClose, stats }));
