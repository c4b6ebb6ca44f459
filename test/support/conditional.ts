// A capability a runtime lacks has its own test (e.g. 501 for pool): the tests of the capability are
// then not registered for it at all, rather than reported as skipped.
import { describe, it } from 'vitest';

const noop = (): void => {};
export const itIf = (condition: boolean): typeof it | ((...args: unknown[]) => void) => (condition ? it : noop);
export const describeIf = (condition: boolean): typeof describe | ((...args: unknown[]) => void) =>
  condition ? describe : noop;
