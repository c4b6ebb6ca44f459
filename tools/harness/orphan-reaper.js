// Kills the servers a test or script started if it dies before stopping them (SIGKILL, a crash, a
// timeout that kills the test runner). Its parent starts it detached (its own process group, so
// that a Ctrl-C or a group kill aimed at the parent does not reach it), registers each server's
// process group on its stdin, and unregisters it once stopped. When stdin ends, because the parent
// exited however it exited, every group still registered is killed with SIGKILL.
// Plain JavaScript, run by `node` itself: it starts in a few tens of milliseconds without a loader.
//
// Lines on stdin: `+PGID STARTTIME` registers a group, `-PGID` forgets it. STARTTIME is the
// leader's (./process-start-time.js): a group whose leader has gone and whose id a new, unrelated
// leader has taken since is left alone.
import process from 'node:process';
import { processStartTime } from './process-start-time.js';

/** @type {Map<number, string>} process group id → its leader's start time */
const groups = new Map();

function reap() {
  for (const [pgid, startTime] of groups) {
    const leader = processStartTime(pgid);
    if (leader !== undefined && leader !== startTime) continue; // the id is someone else's now
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // the group is already gone
    }
  }
  process.exit(0);
}

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  pending += chunk;
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const [id, startTime = ''] = line.slice(1).split(' ');
    if (line.startsWith('+')) groups.set(Number(id), startTime);
    else if (line.startsWith('-')) groups.delete(Number(id));
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
