import { describe, expect, it } from 'vitest';
import { parseLabOptions } from './options.ts';
import { workRefusal } from '../../src/delay-params.ts';

const KNOWN = ['node', 'bun', 'deno', 'workerd'];

function options(...argv: string[]) {
  const result = parseLabOptions(argv, KNOWN);
  if (result.kind !== 'options') throw new Error(`expected options, got ${JSON.stringify(result)}`);
  return result.options;
}

function errorOf(...argv: string[]): string {
  const result = parseLabOptions(argv, KNOWN);
  if (result.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(result)}`);
  return result.message;
}

describe('lab options', () => {
  it('defaults to node, every mode, 10 requests of 1000 ms sleep, one process, lab-report/', () => {
    expect(options()).toEqual({
      runtimes: ['node'],
      modes: ['blocking', 'async', 'pool'],
      workers: 1,
      n: 10,
      ms: 1000,
      work: 'sleep',
      out: 'lab-report',
    });
  });

  it('reads every option, -n short and --name=value forms', () => {
    expect(
      options(
        '--runtime',
        'all',
        '--mode=pool',
        '--workers',
        '4',
        '-n',
        '20',
        '--ms=50',
        '--work',
        'cpu',
        '--out',
        'x',
      ),
    ).toEqual({
      runtimes: KNOWN,
      modes: ['pool'],
      workers: 4,
      n: 20,
      ms: 50,
      work: 'cpu',
      out: 'x',
    });
  });

  it('--balance runs each way asked for, all of them, and only with --workers', () => {
    expect(options('--workers', '4', '--balance', 'least-busy,kernel')).toMatchObject({
      balances: ['least-busy', 'kernel'],
    });
    expect(options('--workers', '4', '--balance', 'all')).toMatchObject({
      balances: ['least-busy', 'round-robin', 'kernel'],
    });
    expect(errorOf('--workers', '4', '--balance', 'random')).toContain('--balance must be one of');
    expect(errorOf('--balance', 'kernel')).toContain('--balance needs --workers above 1');
  });

  it('--url targets a running server and starts none', () => {
    expect(options('--url', 'http://127.0.0.1:3000/')).toMatchObject({ runtimes: [], url: 'http://127.0.0.1:3000' });
  });

  it.each([
    [['--runtime', 'python'], '--runtime must be one of node, bun, deno, workerd, all; got "python"'],
    [['--mode', 'threads'], '--mode must be one of blocking, async, pool, all; got "threads"'],
    [['--work', 'io'], '--work must be one of sleep, cpu; got "io"'],
    [['-n', '0'], '-n must be a whole number from 1 to 2000; got "0"'],
    [['-n', 'ten'], '-n must be a whole number from 1 to 2000; got "ten"'],
    [['--ms=-5'], '--ms must be a whole number from 0 to 60000; got "-5"'],
    [['--workers', '1.5'], '--workers must be a whole number from 1 to 64; got "1.5"'],
    [['--mode', 'async', '--work', 'cpu'], workRefusal('async', 'cpu')],
    [['--url', 'localhost:3000'], '--url must use http:, got localhost:'],
    [['--url', 'nonsense'], '--url must be an absolute http URL like http://127.0.0.1:3000; got "nonsense"'],
    [
      ['--url', 'http://127.0.0.1:1', '--workers', '2'],
      '--url targets a server that is already running: --runtime, --workers, --balance cannot change it',
    ],
  ])('rejects %j with a message that says what to do', (argv, message) => {
    expect(errorOf(...argv)).toBe(message);
  });

  it('rejects unknown flags and stray arguments, pointing at --help', () => {
    expect(errorOf('--fast')).toMatch(/--fast.*see --help$/);
    expect(errorOf('node')).toMatch(/see --help$/);
  });

  it('--help lists every option', () => {
    const result = parseLabOptions(['--help'], KNOWN);
    expect(result.kind).toBe('help');
    const text = result.kind === 'help' ? result.text : '';
    for (const flag of ['--runtime', '--mode', '--workers', '-n', '--ms', '--work', '--url', '--out'])
      expect(text).toContain(flag);
  });
});
