import { describe, expect, it } from 'vitest';
import { configToArgs } from '../config.ts';
import { parseServerConfig } from './command-line.ts';

describe('parseServerConfig', () => {
  it('has the documented defaults', () => {
    expect(parseServerConfig([], {}, 8)).toEqual({
      kind: 'config',
      config: {
        port: 3000,
        host: '127.0.0.1',
        mode: 'async',
        workers: 1,
        balance: 'least-busy',
        poolThreads: 40,
        maxQueue: 100,
        maxDelayMs: 60_000,
        shutdownTimeoutMs: 10_000,
        startupTimeoutMs: 60_000,
        requestTimeoutMs: 30_000,
        denoServer: 'serve',
        maxEventLoopDelayMs: 0,
        log: 'pretty',
        labUi: true,
        docsUi: true,
        maxConnections: 0, // auto: what the open-file limit leaves
      },
    });
  });

  it('--max-connections takes a number or auto', () => {
    expect(parseServerConfig(['--max-connections', '500'], {}, 8)).toMatchObject({ config: { maxConnections: 500 } });
    expect(parseServerConfig([], { LAB_MAX_CONNECTIONS: 'auto' }, 8)).toMatchObject({ config: { maxConnections: 0 } });
    expect(parseServerConfig(['--max-connections', '0'], {}, 8)).toMatchObject({ kind: 'error' });
  });

  it('--request-timeout takes milliseconds; --deno-server serve or node', () => {
    expect(parseServerConfig(['--request-timeout', '2000'], {}, 8)).toMatchObject({
      config: { requestTimeoutMs: 2000 },
    });
    expect(parseServerConfig(['--request-timeout', '0'], {}, 8)).toMatchObject({ kind: 'error' });
    expect(parseServerConfig([], { LAB_DENO_SERVER: 'node' }, 8)).toMatchObject({ config: { denoServer: 'node' } });
    expect(parseServerConfig(['--deno-server', 'hyper'], {}, 8)).toMatchObject({ kind: 'error' });
  });

  it('prefers flags to the environment, in both flag forms', () => {
    const result = parseServerConfig(
      ['--port', '8080', '--mode=pool'],
      { PORT: '9', LAB_MODE: 'blocking', LAB_LOG: 'json' },
      2,
    );
    expect(result).toMatchObject({ kind: 'config', config: { port: 8080, mode: 'pool', log: 'json' } });
  });

  it('turns --workers auto into the CPU count', () => {
    expect(parseServerConfig(['--workers', 'auto'], {}, 6)).toMatchObject({ config: { workers: 6 } });
  });

  it.each([
    [['--port', '70000'], '--port'],
    [['--workers', '0'], '--workers'],
    [['--mode', 'fast'], '--mode'],
    [['--log', 'loud'], '--log'],
    [['--max-queue', '-1'], '--max-queue'],
    [['--pool-threads'], '--pool-threads'],
    [['--colour'], '--colour'],
  ])('a bad %j names the flag', (argv, flag) => {
    const result = parseServerConfig(argv, {}, 2);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' && result.message).toContain(flag);
  });

  it('names the environment variable when that is what is wrong', () => {
    const result = parseServerConfig([], { LAB_MAX_DELAY_MS: 'soon' }, 2);
    expect(result.kind === 'error' && result.message).toContain('LAB_MAX_DELAY_MS');
  });

  it('--help lists every flag', () => {
    const result = parseServerConfig(['--help'], {}, 2);
    expect(result.kind).toBe('help');
    for (const flag of [
      '--port',
      '--host',
      '--mode',
      '--workers',
      '--pool-threads',
      '--max-queue',
      '--max-delay-ms',
      '--shutdown-timeout',
      '--max-event-loop-delay',
      '--log',
    ]) {
      expect(result.kind === 'help' && result.text).toContain(flag);
    }
  });

  it('--docs off (or LAB_DOCS=off) turns the docs page off; anything but on or off is an error naming where it came from', () => {
    expect(parseServerConfig(['--docs', 'off'], {}, 2)).toMatchObject({ config: { docsUi: false } });
    expect(parseServerConfig([], { LAB_DOCS: 'off' }, 2)).toMatchObject({ config: { docsUi: false } });
    expect(parseServerConfig(['--docs=on'], { LAB_DOCS: 'off' }, 2)).toMatchObject({ config: { docsUi: true } });
    expect(parseServerConfig([], { LAB_DOCS: 'no' }, 2)).toEqual({
      kind: 'error',
      message: expect.stringContaining('LAB_DOCS'),
    });
  });

  it('--lab off (or LAB_UI=off) turns the live lab page off; anything but on or off is an error naming where it came from', () => {
    expect(parseServerConfig(['--lab', 'off'], {}, 2)).toMatchObject({ config: { labUi: false } });
    expect(parseServerConfig([], { LAB_UI: 'off' }, 2)).toMatchObject({ config: { labUi: false } });
    expect(parseServerConfig(['--lab=on'], { LAB_UI: 'off' }, 2)).toMatchObject({ config: { labUi: true } });
    expect(parseServerConfig([], { LAB_UI: 'no' }, 2)).toEqual({
      kind: 'error',
      message: expect.stringContaining('LAB_UI'),
    });
    expect(parseServerConfig(['--help'], {}, 2)).toMatchObject({ text: expect.stringContaining('--lab on|off') });
  });

  it('configToArgs round-trips', () => {
    const first = parseServerConfig(
      ['--port=1234', '--mode=blocking', '--pool-threads=3', '--log=off', '--lab=off'],
      {},
      2,
    );
    if (first.kind !== 'config') throw new Error('expected a config');
    const again = parseServerConfig(configToArgs(first.config), {}, 2);
    expect(again).toEqual(first);
  });
});

describe('flags npm kept for itself', () => {
  it('`npm start --port 3605` (npm_config_port, no --port) is refused with the command that passes the flag', () => {
    // What npm does with it: npm_config_port=true, and the value left over as the script's argument.
    const result = parseServerConfig(['3605'], { npm_lifecycle_event: 'start', npm_config_port: 'true' }, 2);
    expect(result).toEqual({
      kind: 'error',
      message:
        '--port reached npm, not the server: npm keeps the flags given before `--`. Run: npm start -- --port 3605',
    });
    expect(parseServerConfig([], { npm_lifecycle_event: 'start:bun', npm_config_pool_threads: '8' }, 2)).toMatchObject({
      message: expect.stringContaining('Run: npm run start:bun -- --pool-threads 8'),
    });
  });

  it('is quiet when the flag came through `--`, and outside npm', () => {
    const env = { npm_lifecycle_event: 'start', npm_config_port: '3605' };
    expect(parseServerConfig(['--port', '3605'], env, 2)).toMatchObject({ kind: 'config', config: { port: 3605 } });
    expect(parseServerConfig([], { npm_config_port: '3605' }, 2)).toMatchObject({ kind: 'config' });
  });
});

describe('--workers 0', () => {
  it('names auto beside the numbers it takes', () => {
    expect(parseServerConfig(['--workers', '0'], {}, 2)).toEqual({
      kind: 'error',
      message: '--workers must be a whole number from 1 to 256; got "0"; or auto, one process per CPU (2 here)',
    });
  });
});
