import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { isLoopback, warnIfSlowClientsHeld } from './slow-clients-warning.ts';

function linesFor(host: string, denoServer: 'serve' | 'node'): Record<string, unknown>[] {
  const lines: string[] = [];
  const logger = createLogger({ format: 'json', now: () => 0, write: (line) => lines.push(line) });
  warnIfSlowClientsHeld({ host, denoServer }, logger, 42);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the warning that Deno.serve holds slow clients', () => {
  it('is one line on an address other clients reach, naming --deno-server node and the doc', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.com', '10.0.0.1']) {
      const lines = linesFor(host, 'serve');
      expect(lines, host).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'warn', event: 'slow_clients_held', worker_id: 42, host });
      expect(lines[0]!.message).toContain('--deno-server node');
      expect(lines[0]!.message).toContain('docs/reliability.md');
    }
  });

  it('is not given on loopback, nor with --deno-server node', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(linesFor(host, 'serve'), host).toEqual([]);
    expect(linesFor('0.0.0.0', 'node')).toEqual([]);
  });

  it('tells loopback from the rest', () => {
    expect(isLoopback('LOCALHOST')).toBe(true);
    expect(isLoopback('128.0.0.1')).toBe(false);
    expect(isLoopback('127.0.0.1.example.com')).toBe(false);
    expect(isLoopback('0.0.0.0')).toBe(false);
  });
});
