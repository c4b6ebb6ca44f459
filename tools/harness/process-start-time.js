// When a process started, as Linux tells it: field 22 of /proc/PID/stat, in clock ticks since boot.
// With the pid it names one process for good, since a pid is reused but never at the same tick.
// Plain JavaScript: the orphan reaper (./orphan-reaper.js) runs without a loader.
import { readFileSync } from 'node:fs';

/**
 * @param {number} pid
 * @returns {string | undefined} undefined if there is no such process
 */
export function processStartTime(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces; field 22 is
    // the 20th of them.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
