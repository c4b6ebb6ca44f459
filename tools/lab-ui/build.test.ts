import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { buildLabAssets, GENERATED } from './build.ts';

describe('the committed build of the live lab page', () => {
  it('is what `npm run build:lab` makes from web/lab/ now (run it and commit the result if this fails)', async () => {
    const committed = await readFile(GENERATED, 'utf8');
    const built = await buildLabAssets();
    expect(committed === built, `${GENERATED} is out of date: run \`npm run build:lab\` and commit it`).toBe(true);
  }, 30_000);
});
