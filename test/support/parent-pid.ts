// Which process started a given one, from /proc: under --workers, a worker_id is a process that the
// supervisor (the pid the harness started) started.
import { readFileSync } from 'node:fs';

/** The parent pid of `pid`, or undefined when the process is gone. */
export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces: state, then ppid.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}
