// The pool thread's entry on Node. Node 20 does not run `--import tsx` in worker threads, so the
// thread registers tsx itself before it loads the TypeScript task.
import { register } from 'tsx/esm/api';

register();
const { default: runPoolTask } = await import('./pool-task.ts');
export default runPoolTask;
