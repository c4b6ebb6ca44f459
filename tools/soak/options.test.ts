import { describe, expect, it } from 'vitest';
import { parseSoakOptions } from './options.ts';

const KNOWN = ['node', 'workerd', 'bun', 'deno'];

function options(...argv: string[]) {
  const result = parseSoakOptions(argv, KNOWN);
  if (result.kind !== 'options') throw new Error(`expected options, got ${JSON.stringify(result)}`);
  return result.options;
}

function errorOf(...argv: string[]): string {
  const result = parseSoakOptions(argv, KNOWN);
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('soak options', () => {
  it('defaults to node, 5 s warm-up and 60 s of 16 clients, a sample a second, no JSON', () => {
    expect(options()).toEqual({
      runtimes: ['node'],
      settings: {
        durationS: 60,
        warmupS: 5,
        concurrency: 16,
        workers: 1,
        poolThreads: 2,
        sampleEveryS: 1,
        requestTimeoutMs: 10_000,
      },
    });
  });

  it('reads every option; all is every runtime; a short soak samples ten times', () => {
    const parsed = options(
      '--runtime',
      'all',
      '--duration=5',
      '--warmup',
      '1',
      '-c',
      '4',
      '--workers',
      '2',
      '--pool-threads',
      '8',
      '--json',
      'out.json',
    );
    expect(parsed.runtimes).toEqual(KNOWN);
    expect(parsed.settings).toMatchObject({
      durationS: 5,
      warmupS: 1,
      concurrency: 4,
      workers: 2,
      poolThreads: 8,
      sampleEveryS: 0.5,
    });
    expect(parsed.json).toBe('out.json');
  });

  it('takes a running server by --url, with its --pid to measure memory', () => {
    expect(options('--url', 'http://127.0.0.1:3000/', '--pid', '1234')).toMatchObject({
      runtimes: [],
      url: 'http://127.0.0.1:3000',
      pid: 1234,
    });
    expect(options('--url', 'http://127.0.0.1:3000')).not.toHaveProperty('pid');
  });

  it('says what is wrong with a bad option', () => {
    expect(errorOf('--runtime', 'python')).toBe('--runtime must be one of node, workerd, bun, deno, all; got "python"');
    expect(errorOf('--duration', '0')).toMatch(/--duration must be a whole number from 1 to/);
    expect(errorOf('--concurrency', '2.5')).toMatch(/--concurrency must be a whole number/);
    expect(errorOf('--url', 'not a url')).toMatch(/--url must be an absolute http URL/);
    expect(errorOf('--url', 'https://127.0.0.1')).toMatch(/--url must use http:/);
    expect(errorOf('--url', 'http://127.0.0.1:3000', '--runtime', 'bun')).toMatch(/cannot change it/);
    expect(errorOf('--pid', '12')).toMatch(/--pid goes with --url/);
    expect(errorOf('--json=')).toMatch(/--json needs a file name/);
    expect(errorOf('--bogus')).toMatch(/Unknown option '--bogus'; see --help/);
  });

  it('has --help', () => {
    const result = parseSoakOptions(['--help'], KNOWN);
    expect(result.kind).toBe('help');
    expect(result.kind === 'help' && result.text).toMatch(/--duration SECONDS/);
  });
});
