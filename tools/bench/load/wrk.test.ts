import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findWrk, wrkScript } from './wrk.ts';
import { WRK_FIXED_MARKER, WRK_JSON_MARKER } from './wrk-output.ts';

describe('wrkScript', () => {
  it('sets the method and prints the JSON line when done', () => {
    const script = wrkScript('POST');
    expect(script).toMatch(/^wrk\.method = "POST"$/m);
    expect(script).toContain(WRK_JSON_MARKER);
    // No response(): wrk then skips parsing headers and bodies.
    expect(script).not.toMatch(/^response = /m);
  });
  it('grants a fixed count of requests from a budget and exits on the last answer', () => {
    const script = wrkScript('GET', 20_000);
    expect(script).toMatch(/^local limit = 20000$/m);
    expect(script).toMatch(/^delay = function\(\)$/m);
    expect(script).toContain(WRK_FIXED_MARKER);
    expect(script).toContain('os.exit(0)');
  });
});

describe('findWrk', () => {
  it('finds an executable wrk on PATH, and nothing on a PATH without it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'find-wrk-'));
    try {
      expect(findWrk(dir)).toBeUndefined();
      writeFileSync(join(dir, 'wrk'), '#!/bin/sh\n', { mode: 0o755 });
      expect(findWrk(`/nonexistent:${dir}`)).toBe(join(dir, 'wrk'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
