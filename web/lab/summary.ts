// The numbers under a finished run, computed by the terminal lab's own functions (tools/lab): a live
// run becomes the CombinationRun that `npm run lab` records, then summarise() and verdict().
import type { Mode } from '../../src/runtime.ts';
import { efficiency } from '../../tools/lab/ideal.ts';
import { formatMs, formatRatio } from '../../tools/lab/format.ts';
import type { CombinationRun } from '../../tools/lab/results.ts';
import { summarise, type RunSummary } from '../../tools/lab/stats.ts';
import { verdict } from '../../tools/lab/verdict.ts';
import type { ClockOffset } from './clock.ts';
import { heldRequests, startedLive, type LiveRun } from './run.ts';
import { el, shortId, workerClass } from './view.ts';

/** GET /info, the fields the page reads. */
export interface ServerInfo {
  runtime: string;
  version: string;
  worker_id: number | string;
  modes: Mode[];
  default_mode: Mode;
  max_delay_ms: number;
  pool: { max_threads: number } | null;
  processes: { count: number | null; balancing: string };
}

export interface Outcome {
  summary: RunSummary;
  sentence: string;
  /** Set when the browser's connection limit, not the server, bounds the ideal. */
  clientBound: boolean;
  /** How many requests waited in the browser for a connection, when some did: a note beside the verdict. */
  clientNote?: string;
}

export function toCombinationRun(run: LiveRun, info: ServerInfo, clock: ClockOffset): CombinationRun {
  const processes = info.processes.count ?? 1;
  return {
    runtime: info.runtime,
    mode: run.mode,
    work: run.work,
    workers: processes,
    n: run.n,
    ms: run.ms,
    server: {
      runtime: info.runtime,
      version: info.version,
      processes,
      poolThreads: info.pool?.max_threads ?? null,
      modes: info.modes,
    },
    firedAt: run.firedAt,
    requests: run.requests.map((r) => ({
      index: r.index,
      // Latency counts from when the request really went out, not from a wait for a connection.
      sentAt: r.wentOutAt ?? r.sentAt ?? r.queuedAt,
      receivedAt: r.receivedAt ?? r.queuedAt,
      status: r.status ?? 0,
      ...(r.startTime !== undefined ? { startTime: clock.toPage(r.startTime) } : {}),
      ...(r.endTime !== undefined ? { endTime: clock.toPage(r.endTime) } : {}),
      ...(r.workerId !== undefined ? { workerId: r.workerId } : {}),
      ...(r.threadId !== undefined ? { threadId: r.threadId } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
    })),
    health: run.probes
      .filter((p) => p.latencyMs !== undefined)
      .map((p) => ({ sentAt: p.sentAt, latencyMs: p.latencyMs!, ok: p.ok === true })),
  };
}

export function outcomeOf(run: LiveRun, info: ServerInfo, clock: ClockOffset, cores: number): Outcome {
  const combination = toCombinationRun(run, info, clock);
  const summary = summarise(combination, cores);
  // The browser sends at most `slots` at once: no server can finish sooner than those waves.
  const clientIdealMs = Math.ceil(run.n / run.slots) * run.ms;
  const clientBound = clientIdealMs > summary.idealMs;
  if (clientBound) {
    summary.idealMs = clientIdealMs;
    summary.efficiency = efficiency(clientIdealMs, summary.makespanMs);
  }
  // The headline is the lesson; the browser's own limit is a note beside it, not part of it.
  const sentence = verdict(combination, summary);
  const held = heldRequests(run);
  const connections = run.slots + 1 + (run.probing ? 1 : 0);
  const clientNote =
    held > 0
      ? `${held} ${held === 1 ? 'request' : 'requests'} first waited in this browser for a free connection: it opens at most ${connections} to one server over HTTP/1.1 (npm run lab has no such limit).`
      : undefined;
  return { summary, sentence, clientBound, ...(clientNote ? { clientNote } : {}) };
}

/** What the event stream showed of this run, in words. */
export function streamNote(run: LiveRun, clock: ClockOffset, answered: number): string {
  const { stream } = run;
  if (stream.state === 'failed')
    return `Event stream: none (${stream.error ?? 'unavailable'}); bars turned solid when answers came.`;
  const live = startedLive(run, clock);
  const late = stream.started - live;
  const unseen = answered - stream.started;
  const parts = [
    `Event stream from ${stream.workerIds.map(shortId).join(', ')}: ${live} of ${run.n} bars turned solid while their work ran`,
  ];
  if (late > 0) {
    parts.push(
      run.mode === 'pool'
        ? `${late} start events came with the answer: a pool thread reports its start when it is done`
        : `${late} start events arrived only after their work had ended: the loop that would have sent them was held`,
    );
  }
  if (unseen > 0) parts.push(`${unseen} ran where this stream could not see (another process or isolate)`);
  return `${parts.join('; ')}.`;
}

export function renderSummary(
  container: HTMLElement,
  run: LiveRun,
  info: ServerInfo,
  outcome: Outcome,
  clock: ClockOffset,
): void {
  const { summary, sentence, clientBound, clientNote } = outcome;
  const pair = (term: string, value: string | Node, title = ''): HTMLElement[] => [
    el('div', {}, el('dt', { title }, term), el('dd', {}, value)),
  ];
  const perProcess = el(
    'span',
    {},
    ...Object.entries(summary.perWorker).flatMap(([worker, count], i) => [
      i > 0 ? ' · ' : '',
      el('span', { class: `swatch ${workerClass(worker)}`, 'aria-hidden': 'true' }),
      `${shortId(worker)}: ${count}`,
    ]),
  );
  const list = el(
    'dl',
    {},
    ...pair('makespan', formatMs(summary.makespanMs), 'from the first request sent to the last answer'),
    ...pair(
      'ideal',
      `${formatMs(summary.idealMs)}${clientBound ? ` (${run.slots} at once in a browser)` : ''}`,
      'the makespan with perfect scheduling',
    ),
    ...pair('efficiency', formatRatio(summary.efficiency), 'ideal ÷ makespan'),
    ...pair('p50', formatMs(summary.p50Ms), 'median time from a request going out to its answer'),
    ...pair('p99', formatMs(summary.p99Ms)),
    ...pair('worst /health', run.probing ? formatMs(summary.worstHealthMs) : 'off'),
    ...pair('per process', perProcess, 'answered requests per process (or isolate)'),
    ...(summary.failed > 0 ? pair('failed', String(summary.failed)) : []),
  );
  const notes: HTMLElement[] = [];
  const count = info.processes.count;
  if (count === null || count > 1) {
    const used = Object.keys(summary.perWorker).length;
    const unit = count === null ? 'isolate' : 'process';
    notes.push(
      el(
        'p',
        { class: 'spread' },
        `Spread: ${used} ${used === 1 ? unit : `${unit}${unit === 'process' ? 'es' : 's'}`}${count ? ` of ${count}` : ''} answered (${Object.values(summary.perWorker).join(' / ')}). Balancing: ${info.processes.balancing}.`,
      ),
    );
  }
  notes.push(el('p', { class: 'stream-note' }, streamNote(run, clock, summary.ok)));
  container.replaceChildren(
    list,
    ...notes,
    el('p', { class: 'verdict' }, sentence),
    ...(clientNote ? [el('p', { class: 'client-note' }, clientNote)] : []),
  );
}
