// The contract suites start servers as the lab does: see src/lab/start-runtime.ts.
export { startRuntime, type StartedServer } from '../../src/lab/start-runtime.ts';
