// The lifecycle's handling of a stop signal that came before it could hear one (a supervisor
// stopping a process it just started): held by the runtime's preload (adapters/preload/hold-signals.js),
// it is a stop like any other once the port is open, exit 0 with its log, not a death by signal.
import { afterEach, describe, expect, it } from 'vitest';
import { fakeRuntime } from '../fake-runtime.ts';
import { createLogger } from '../logger.ts';
import { parseServerConfig } from './command-line.ts';
import { EXIT_OK } from './exit-codes.ts';
import { serveProcess } from './serve-process.ts';

const HELD = Symbol.for('concurrency-lab.held-signal');
const held = globalThis as unknown as Record<symbol, string | undefined>;
afterEach(() => {
  held[HELD] = undefined;
});

describe('serveProcess', () => {
  it('stops, logs and exits 0 for a SIGTERM held before it ran', async () => {
    const result = parseServerConfig(['--port=0'], {}, 1);
    if (result.kind !== 'config') throw new Error('bad config');
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', now: () => 0, write: (line: string) => void lines.push(line) });
    let exited: ((code: number) => void) | undefined;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    held[HELD] = 'SIGTERM';
    await serveProcess({
      config: result.config,
      logger,
      runtime: fakeRuntime(),
      listen: () => Promise.resolve({ url: 'http://127.0.0.1:1', close: () => Promise.resolve() }),
      host: { pid: 1, on: () => undefined, exit: (code: number) => exited!(code) as never },
      runtimeLabel: 'test',
    });
    expect(await exit).toBe(EXIT_OK);
    const events = lines.map((line) => (JSON.parse(line) as { event: string }).event);
    expect(events).toEqual(['server_ready', 'server_stopping', 'server_stopped']);
  });
});
