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
