// Resident memory of a server and its descendants (cluster workers), from Linux's /proc.
import { readFileSync } from 'node:fs';

export interface Memory {
  rssBytes: number;
  processes: number;
  threads: number;
}

function statusField(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0);
}

/** The pid and every descendant, from /proc/<pid>/task/<tid>/children. */
export function processTree(pid: number): number[] {
  const pids = [pid];
  for (let i = 0; i < pids.length; i++) {
    const tasks = (() => {
      try {
        return readFileSync(`/proc/${pids[i]}/task/${pids[i]}/children`, 'utf8');
      } catch {
        return '';
      }
    })();
    for (const child of tasks.trim().split(/\s+/).filter(Boolean)) pids.push(Number(child));
  }
  return pids;
}

export function memoryOf(pid: number): Memory {
  let rssKb = 0;
  let threads = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    try {
      rssKb += statusField(p, 'VmRSS');
      threads += statusField(p, 'Threads');
    } catch {
      // exited between listing and reading
    }
  }
  return { rssBytes: rssKb * 1024, processes: pids.length, threads };
}
