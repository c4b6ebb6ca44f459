// One sentence that says what a run shows ("each request waited for the one before it: the event loop
// was blocked"), judged from the intervals the server reported and the /health probes, never from
// the mode's name alone. Pure: the terminal lab and the live page (web/lab/) share it.
import { formatMs } from './format.ts';
import { SLOW_HEALTH_MS } from './probes.ts';
import type { CombinationRun } from './results.ts';
import { maxConcurrent, type RunSummary } from './stats.ts';

export interface ClientLimit {
  /** Requests that waited in the client (a browser's connection limit) before they were sent. */
  held: number;
  /** The most connections the client opens to one server, e.g. 6 for a browser over HTTP/1.1. */
  connections: number;
}

export function verdict(run: CombinationRun, summary: RunSummary, client?: ClientLimit): string {
  const answered = run.requests.filter((r) => r.status === 200 && r.startTime !== undefined && r.endTime !== undefined);
  const firstError = run.requests.find((r) => r.status !== 200)?.error;
  if (answered.length === 0) return sentence(`no request was answered${firstError ? `: ${firstError}` : ''}`);

  const ok = answered.length;
  const together = maxConcurrent(answered.map((r) => ({ start: r.startTime!, end: r.endTime! })));
  const processes = new Set(answered.map((r) => String(r.workerId))).size;
  const threads = new Set(answered.map((r) => `${r.workerId}/${r.threadId ?? 0}`)).size;
  const probed = Number.isFinite(summary.worstHealthMs);
  const healthHeld = probed && summary.worstHealthMs >= SLOW_HEALTH_MS;
  const worst = formatMs(summary.worstHealthMs);
  const freeLoop = healthHeld
    ? `, yet /health once waited ${worst}`
    : probed
      ? `, and /health answered within ${worst}`
      : '';
  const heldLoop = healthHeld ? `, and /health waited up to ${worst}` : '';
  const anyLoop = healthHeld ? heldLoop : probed ? `, and /health answered within ${worst}` : '';

  let text: string;
  if (ok === 1) {
    text = `one request ran for ${formatMs(run.ms)}; send more than one to see whether they wait for each other`;
  } else if (together === 1) {
    if (processes > 1)
      text = `the requests ran one after another, though ${processes} processes served them${heldLoop}`;
    else if (run.mode === 'pool')
      text = `each request waited for the one before it: the pool ran one at a time, while the event loop stayed free${freeLoop}`;
    else if (run.mode === 'blocking')
      text = `each request waited for the one before it: the event loop was blocked${heldLoop}`;
    else text = `the requests did not overlap: each one ended before the next began${freeLoop}`;
  } else if (together === ok) {
    if (run.mode === 'async') text = `all ${ok} requests waited side by side: the event loop stayed free${freeLoop}`;
    else if (run.mode === 'pool')
      text = `all ${ok} requests ran side by side on ${threads} pool threads, while the event loop stayed free${freeLoop}`;
    else text = `all ${ok} requests ran side by side, one in each of ${processes} processes${heldLoop}`;
  } else {
    text = `at most ${together} of ${ok} requests ran at once`;
    if (run.mode === 'blocking' && processes > 1)
      text += `: one a process, and each of the ${processes} processes ran its requests one after another${heldLoop}`;
    else if (run.mode === 'pool' && run.server.poolThreads !== null && together >= run.server.poolThreads * processes) {
      text += `: every pool thread was busy and the rest queued${anyLoop}`;
    } else text += anyLoop;
  }
  text += coresNote(run, answered, together, summary.cores);
  if (client && client.held > 0) {
    text += `; ${client.held} ${client.held === 1 ? 'request' : 'requests'} first waited in your browser for a free connection (it opens at most ${client.connections} to one server over HTTP/1.1)`;
  }
  const failed = run.requests.length - ok;
  if (failed > 0) text += `; ${failed} failed${firstError ? `: ${firstError}` : ''}`;
  return sentence(text);
}

/**
 * CPU-bound work that ran on more threads or processes than there are cores: each one got a share
 * of a core and took longer than its ms. Says so, with the stretch the intervals show.
 */
function coresNote(
  run: CombinationRun,
  answered: readonly { startTime?: number; endTime?: number }[],
  together: number,
  cores: number,
): string {
  if (run.work !== 'cpu' || together <= cores || run.ms <= 0) return '';
  const stretch = answered.reduce((sum, r) => sum + (r.endTime! - r.startTime!), 0) / answered.length / run.ms;
  // Sharing the cores alone stretches each one about together ÷ cores; much more than that is other
  // work on the machine taking the cores too, said rather than blamed on the threads.
  const shared = together / cores;
  const others =
    stretch > shared * 1.5
      ? ` (${together} sharing ${cores} would take about ${shared.toFixed(1)}×; the rest went to other work on this machine)`
      : '';
  return `; but CPU work runs on at most ${cores} ${cores === 1 ? 'core' : 'cores'} at once, so each request took about ${stretch.toFixed(1)}× its ${formatMs(run.ms)}${others}: threads and processes help CPU-bound work only up to the number of cores`;
}

function sentence(text: string): string {
  const trimmed = text.replace(/[.\s]+$/, '');
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
}
