// wrangler.toml as wrangler itself reads it: the CPU limit a deployed Worker gets ([limits] cpu_ms)
// and the one the app refuses blocking work above (LAB_CPU_LIMIT_MS in [vars]) must be one number,
// because the Worker cannot read its own [limits] at run time.
import { resolve } from 'node:path';
import { experimental_readRawConfig } from 'wrangler';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../tools/harness/repo-root.ts';
import { MAX_CPU_LIMIT_MS, parseWorkersConfig } from './cloudflare-config.ts';

describe('wrangler.toml', () => {
  const { rawConfig } = experimental_readRawConfig({ config: resolve(REPO_ROOT, 'wrangler.toml') });

  it('sets [limits] cpu_ms, and LAB_CPU_LIMIT_MS in [vars] says the same number', () => {
    const cpuMs = rawConfig.limits?.cpu_ms;
    expect(cpuMs).toBeGreaterThan(0);
    expect(cpuMs).toBeLessThanOrEqual(MAX_CPU_LIMIT_MS);
    expect(rawConfig.vars?.LAB_CPU_LIMIT_MS).toBe(String(cpuMs));
  });

  it('has [vars] the Worker accepts', () => {
    expect(parseWorkersConfig(rawConfig.vars ?? {})).toMatchObject({ ok: true });
  });
});
