// The IPC ends of a scrape under --workers N (src/observability/scrape-protocol.ts), in node: APIs
// that Node, Bun and Deno all implement: a node:cluster worker and a node:child_process child spawned
// with an 'ipc' stdio entry both have process.send and process.on('message'); the supervisor holds a
// cluster Worker or a ChildProcess, both with send(message, callback). Checked on Node 20.20, Bun
// 1.4.5 and Deno 2.9.6, the callback form included: a send on a closed channel calls back with
// "Channel closed" on all three instead of throwing.
import process from 'node:process';
import type { ChildPort } from '../../src/observability/scrape-collector.ts';
import type { ScrapeMessage } from '../../src/observability/scrape-protocol.ts';
import type { SupervisorChannel } from '../../src/observability/supervisor-link.ts';

/** A message that cannot be sent went to a process that is gone: the scrape's deadline covers it. */
const dropped = (): void => {};

/** This process's channel to its supervisor, or undefined when it was started without one. */
export function supervisorChannel(): SupervisorChannel | undefined {
  if (typeof process.send !== 'function') return undefined;
  return {
    send: (message) => {
      if (process.connected) process.send?.(message, dropped);
    },
    onMessage: (listener) => {
      process.on('message', listener);
    },
  };
}

/** What a supervisor holds of a child: a node:cluster Worker or a node:child_process ChildProcess. */
export interface IpcChild {
  send(message: ScrapeMessage, callback: (error: Error | null) => void): boolean;
}

/** A child as the supervisor's ScrapeCollector reaches it. */
export function childPort(pid: number, child: IpcChild): ChildPort {
  return {
    pid,
    send: (message) => {
      try {
        child.send(message, dropped);
      } catch {
        // the channel is gone with the child
      }
    },
  };
}

/** A child process as its supervisor sees it end: node:child_process's ChildProcess. */
export interface EndingChild {
  readonly stderr: { once(event: 'close', listener: () => void): unknown } | null;
  once(event: 'close' | 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): unknown;
}

/**
 * Calls `onGone` once, when the child has exited and its stderr has been read to the end: its last
 * lines are passed on before it counts as gone. That is what 'close' says, and 'close' alone is
 * enough on Node and Bun (Bun emits only 'error' and 'close', no 'exit', for a command that cannot
 * start). But 'close' also waits for the IPC channel, and Deno 2.9.6 never closes that channel (no
 * 'disconnect', no 'close') for a child that died with messages unread in it (its read fails with
 * ECONNRESET instead of seeing EOF): a child killed while a scrape waits on it. So 'exit' together
 * with the end of stderr counts too.
 */
export function onceGone(
  child: EndingChild,
  onGone: (code: number | null, signal: NodeJS.Signals | null) => void,
): void {
  let gone = false;
  let exit: [number | null, NodeJS.Signals | null] | undefined;
  let stderrEnded = child.stderr === null;
  const done = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (gone) return;
    gone = true;
    onGone(code, signal);
  };
  child.once('close', done);
  child.once('exit', (code, signal) => {
    exit = [code, signal];
    if (stderrEnded) done(code, signal);
  });
  child.stderr?.once('close', () => {
    stderrEnded = true;
    if (exit) done(...exit);
  });
}
