import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { parseServerConfig } from './command-line.ts';
import { EXIT_FAILED, EXIT_OK } from './exit-codes.ts';
import { MAX_START_ATTEMPTS } from './restart-policy.ts';
import { KILL_GRACE_MS, Supervision, type StopSignal, type SupervisorBalancer } from './supervision.ts';

class FakeProcess {
  readonly signals: string[] = [];
  constructor(readonly pid: number) {}
  kill(signal: StopSignal | 'SIGKILL'): void {
    this.signals.push(signal);
  }
}

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function configOf(args: string[]): ServerConfig {
  const result = parseServerConfig(args, {}, 4);
  if (!('config' in result)) throw new Error('bad test config');
  return result.config;
}

/** A supervision over fake processes, with its log, its signals and its balancer laid open. */
function supervise(args: string[], balancer?: SupervisorBalancer) {
  const config = configOf(['--workers', '2', '--log', 'json', ...args]);
  const logs: Record<string, unknown>[] = [];
  const signals = new Map<string, () => void>();
  const spawned: FakeProcess[] = [];
  let nextPid = 100;
  const supervision = new Supervision<FakeProcess>({
    config,
    logger: createLogger({ format: 'json', now: () => 0, write: (line) => logs.push(JSON.parse(line)) }),
    host: {
      pid: 1,
      on: (signal, handler) => signals.set(signal, handler),
      exit: (code) => {
        throw new Exited(code);
      },
    },
    runtimeLabel: 'test 1.0',
    noun: 'process',
    startedWhen: 'listening',
    spawn: () => {
      const process = new FakeProcess(nextPid++);
      spawned.push(process);
      return process;
    },
    scrapePort: (process) => ({ pid: process.pid, send: () => {} }),
    ...(balancer ? { balancer } : {}),
    port: config.port,
    uptimeSeconds: () => 1,
    later: (ms, run) => void setTimeout(run, ms),
  });
  const events = (name: string) => logs.filter((entry) => entry.event === name);
  return { supervision, spawned, signals, events, config };
}

/** Runs `step`, which must end the supervisor, and returns its exit status. */
function exitOf(step: () => void): number {
  try {
    step();
  } catch (error) {
    if (error instanceof Exited) return error.code;
    throw error;
  }
  throw new Error('the supervisor did not exit');
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Supervision', () => {
  it('starts one process a slot and announces server_ready once, when all of them listen', () => {
    const { supervision, spawned, events } = supervise(['--port', '8123', '--balance', 'kernel']);
    supervision.start();
    expect(spawned).toHaveLength(2);
    supervision.listening(spawned[0]!, 8123);
    expect(events('server_ready')).toHaveLength(0);
    supervision.listening(spawned[1]!, 8123);
    supervision.listening(spawned[1]!, 8123);
    expect(events('server_ready')).toHaveLength(1);
    expect(events('server_ready')[0]).toMatchObject({ url: 'http://127.0.0.1:8123', processes: 2 });
    expect(events('worker_started').map((entry) => entry.child)).toEqual([100, 101, 101]);
  });

  it('hands each listening process to the balancer, and takes a dead one out of it, before restarting its slot', () => {
    const added: [number, number][] = [];
    const removed: number[] = [];
    const balancer: SupervisorBalancer = {
      add: (pid, port) => added.push([pid, port]),
      remove: (pid) => removed.push(pid),
      close: () => {},
      stats: () => [],
      acceptErrors: 0,
    };
    const { supervision, spawned, events } = supervise(['--port', '0'], balancer);
    supervision.start();
    supervision.listening(spawned[0]!, 4001);
    supervision.listening(spawned[1]!, 4002);
    expect(added).toEqual([
      [100, 4001],
      [101, 4002],
    ]);
    vi.advanceTimersByTime(10_000);
    supervision.exited(spawned[0]!, null, 'SIGKILL');
    expect(removed).toEqual([100]);
    expect(events('worker_exited')[0]).toMatchObject({ child: 100, level: 'warn' });
    vi.advanceTimersByTime(0);
    expect(spawned).toHaveLength(3);
  });

  it('kills a process that has not listened by the startup deadline; its exit counts as a failed start of its slot', () => {
    const { supervision, spawned, events, config } = supervise(['--port', '8123', '--startup-timeout', '500']);
    supervision.start();
    supervision.listening(spawned[1]!, 8123);
    vi.advanceTimersByTime(config.startupTimeoutMs);
    expect(spawned[0]!.signals).toEqual(['SIGKILL']);
    expect(spawned[1]!.signals).toEqual([]);
    expect(events('worker_start_timeout').map((entry) => entry.child)).toEqual([100]);
    supervision.exited(spawned[0]!, null, 'SIGKILL');
    expect(events('worker_exited')[0]!.message).toMatch(/restarting in 100 ms/);
  });

  it('gives up on a slot that keeps failing to start: the others drain (SIGTERM) and it exits 1 once none is left', () => {
    const { supervision, spawned, events } = supervise(['--port', '8123']);
    supervision.start();
    supervision.listening(spawned[1]!, 8123);
    let failing = spawned[0]!;
    for (let attempt = 1; attempt < MAX_START_ATTEMPTS; attempt++) {
      supervision.exited(failing, 1, null);
      vi.runOnlyPendingTimers();
      failing = spawned.at(-1)!;
    }
    supervision.exited(failing, 1, null);
    expect(events('worker_exited').at(-1)).toMatchObject({ level: 'error' });
    expect(spawned[1]!.signals).toEqual(['SIGTERM']);
    expect(exitOf(() => supervision.exited(spawned[1]!, 0, null))).toBe(EXIT_FAILED);
    expect(events('server_stopped')).toHaveLength(1);
  });

  it('on SIGINT closes the balancer, passes the signal on, kills those that hang after the grace, and exits 0 when all are gone', () => {
    const closed: string[] = [];
    const balancer: SupervisorBalancer = {
      add: () => {},
      remove: () => {},
      close: () => closed.push('closed'),
      stats: () => [],
      acceptErrors: 0,
    };
    const { supervision, spawned, signals, config } = supervise(['--port', '0'], balancer);
    supervision.start();
    signals.get('SIGINT')!();
    expect(closed).toEqual(['closed']);
    expect(spawned.map((process) => process.signals)).toEqual([['SIGINT'], ['SIGINT']]);
    supervision.exited(spawned[0]!, 0, null);
    vi.advanceTimersByTime(config.shutdownTimeoutMs + KILL_GRACE_MS);
    expect(spawned[1]!.signals).toEqual(['SIGINT', 'SIGKILL']);
    expect(exitOf(() => supervision.exited(spawned[1]!, null, 'SIGKILL'))).toBe(EXIT_OK);
    // No restart once stopping.
    vi.runOnlyPendingTimers();
    expect(spawned).toHaveLength(2);
  });

  it('stopped before it started (a signal held while loading): starts nothing and exits 0', () => {
    const { supervision, spawned, events } = supervise(['--port', '8123']);
    expect(exitOf(() => supervision.start('SIGTERM'))).toBe(EXIT_OK);
    expect(spawned).toHaveLength(0);
    // Its log ends as every stop's does, so that a process manager reading it sees the stop complete.
    expect(events('server_stopped')).toHaveLength(1);
  });
});
