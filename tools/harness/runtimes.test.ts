// The matrix starts each runtime as its npm script does, so that the tests try what users run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUN_START_ARGS, DENO, DENO_START_ARGS, NODE_START_ARGS } from './runtimes.ts';

const scripts = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    scripts: Record<string, string>;
  }
).scripts;

describe('the runtime matrix', () => {
  it('starts Deno with the command of `npm run start:deno`, the early signal hold included', () => {
    // `exec` so that the signals npm forwards reach Deno, not an intermediate sh.
    expect(scripts['start:deno']).toBe(`exec ${DENO} ${DENO_START_ARGS.join(' ')}`);
  });

  it('starts Node with the command of `npm start`, the early signal hold included', () => {
    expect(scripts.start).toBe(`exec node ${NODE_START_ARGS.join(' ')}`);
  });

  it('starts Bun with the command of `npm run start:bun`, the early signal hold included', () => {
    expect(scripts['start:bun']).toBe(`exec node_modules/.bin/bun ${BUN_START_ARGS.join(' ')}`);
  });
});
