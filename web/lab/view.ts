// Draws a run as it happens: a row a request (waiting while it waits, solid once its work starts,
// the server's start→end once answered), a lane of /health probes and a lane of the event stream's
// heartbeats. Positions are CSS custom properties (--a, --b: ms after firing) over the panel's
// --span, so that a frame only moves --now and the live ends; no inline style attribute is written
// (the page's CSP forbids them), only CSSOM properties.
import { formatMs } from '../../tools/lab/format.ts';
import { SLOW_HEALTH_MS } from '../../tools/lab/probes.ts';
import { niceTicks } from '../../tools/lab/timeline.ts';
import type { ClockOffset } from './clock.ts';
import type { LiveRequest, LiveRun } from './run.ts';

/** More rows than this are drawn thin, their labels left to the summary and each row's tooltip. */
const DENSE_ROWS = 30;
const WORKER_COLOURS = 8;

export interface Panel {
  root: HTMLElement;
  update(run: LiveRun, nowMs: number): void;
}

/** One colour per process (or isolate), in order of first appearance, the same across the page's runs. */
const workerOrder: string[] = [];
export function workerClass(workerId: string | number | undefined): string {
  if (workerId === undefined) return 'w-none';
  const key = String(workerId);
  if (!workerOrder.includes(key)) workerOrder.push(key);
  return `w${workerOrder.indexOf(key) % WORKER_COLOURS}`;
}

/** A pid as it is; an isolate's UUID shortened to its first 8 characters. */
export function shortId(workerId: string | number): string {
  const text = String(workerId);
  return text.length > 10 ? text.slice(0, 8) : text;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

function place(element: HTMLElement, from: number, to?: number): void {
  element.style.setProperty('--a', from.toFixed(2));
  if (to === undefined) element.style.removeProperty('--b');
  else element.style.setProperty('--b', Math.max(from, to).toFixed(2));
  element.classList.toggle('live', to === undefined);
  element.hidden = false;
}

function healthClass(latencyMs: number | undefined, ok: boolean | undefined): string {
  if (latencyMs === undefined) return 'pending';
  if (ok === false) return 'h3';
  if (latencyMs < 10) return 'h0';
  if (latencyMs < SLOW_HEALTH_MS) return 'h1';
  return latencyMs < 250 ? 'h2' : 'h3';
}

export function unavailablePanel(title: string, reason: string, mode: string): HTMLElement {
  return el(
    'article',
    { class: 'run', 'data-mode': mode, 'data-state': 'unavailable' },
    el('h2', {}, title),
    el('p', { class: 'unavailable' }, `Unavailable on this server: ${reason}`),
  );
}

export function createPanel(title: string, mode: string, n: number, clock: ClockOffset): Panel {
  const axis = el('div', { class: 'axis', 'aria-hidden': 'true' });
  const rows = el('ol', { class: 'rows', 'aria-label': 'Requests, one a row' });
  const healthTrack = el('span', { class: 'track' });
  const healthNote = el('span', { class: 'who' });
  const loopTrack = el('span', { class: 'track' });
  const loopNote = el('span', { class: 'who' });
  const lanes = el(
    'ul',
    { class: 'lanes' },
    el(
      'li',
      {
        class: 'lane health',
        title: `GET /health probes, one at a time: a mark when each was sent, coloured by how long it waited`,
      },
      el('span', { class: 'idx' }, '/health'),
      healthTrack,
      healthNote,
    ),
    el(
      'li',
      {
        class: 'lane loop',
        title:
          'The server\u2019s event stream: a heartbeat every 100 ms, drawn when it arrived; a gap is a stream that stalled (a held loop cannot write)',
      },
      el('span', { class: 'idx' }, 'events'),
      loopTrack,
      loopNote,
    ),
  );
  const summary = el('div', { class: 'summary' });
  const root = el(
    'article',
    { class: `run${n > DENSE_ROWS ? ' dense' : ''}`, 'data-mode': mode, 'data-state': 'running' },
    el('h2', {}, title),
    el('div', { class: 'chart' }, axis, rows, lanes),
    summary,
  );

  const rowParts: {
    li: HTMLLIElement;
    held: HTMLElement;
    wait: HTMLElement;
    work: HTMLElement;
    tail: HTMLElement;
    who: HTMLElement;
    final: boolean;
  }[] = [];
  const probeMarks: HTMLElement[] = [];
  let ticksDrawn = 0;
  let lastTick: number | undefined;
  let segment: HTMLElement | undefined;
  const silence = el('i', { class: 'gap live', hidden: '' });
  loopTrack.append(silence);
  let span = 0;

  const setSpan = (needed: number): void => {
    const ticks = niceTicks(Math.max(needed, 1), 4);
    const step = ticks.length > 1 ? ticks[1]! : needed;
    const next = Math.max(step, Math.ceil(needed / step) * step);
    if (next <= span) return;
    span = next;
    root.style.setProperty('--span', String(span));
    axis.replaceChildren(
      ...niceTicks(span, 4).map((tick) => {
        const label = el('span', tick >= span ? { class: 'end' } : {}, tick >= 10_000 ? `${tick / 1000} s` : `${tick}`);
        label.style.setProperty('--a', String(tick));
        return label;
      }),
      el('span', { class: 'unit' }, 'ms'),
    );
  };

  const rowFor = (request: LiveRequest) => {
    let parts = rowParts[request.index];
    if (!parts) {
      const held = el('i', { class: 'held', hidden: '' });
      const wait = el('i', { class: 'wait', hidden: '' });
      const work = el('i', { class: 'work', hidden: '' });
      const tail = el('i', { class: 'tail', hidden: '' });
      const who = el('span', { class: 'who' });
      const li = el(
        'li',
        { class: 'req', 'data-index': String(request.index) },
        el('span', { class: 'idx' }, `#${request.index}`),
        el('span', { class: 'track' }, held, wait, work, tail),
        who,
      );
      rows.append(li);
      parts = { li, held, wait, work, tail, who, final: false };
      rowParts[request.index] = parts;
    }
    return parts;
  };

  const drawRequest = (request: LiveRequest, at: (t: number) => number, done: boolean): void => {
    const parts = rowFor(request);
    // An answered row changes no more, but for the clock offset, which the last answers may refine.
    if (parts.final && !done) return;
    parts.final = request.status !== undefined;
    const { li, held, wait, work, tail, who } = parts;
    const sent = request.sentAt;
    place(held, at(request.queuedAt), sent === undefined ? undefined : at(sent));
    held.hidden = sent !== undefined && sent - request.queuedAt < 1;
    if (sent === undefined) {
      li.dataset.state = 'queued';
      wait.hidden = work.hidden = tail.hidden = true;
      li.setAttribute('aria-label', `#${request.index}: waiting in the browser for a free connection`);
      return;
    }
    if (request.status === undefined) {
      const started = request.eventStartAt === undefined ? undefined : at(clock.toPage(request.eventStartAt));
      place(wait, at(sent), started);
      if (started === undefined) work.hidden = true;
      else {
        place(work, started);
        work.className = `work live ${workerClass(request.eventWorker)}`;
      }
      tail.hidden = true;
      li.dataset.state = started === undefined ? 'waiting' : 'working';
      if (request.eventStartAt !== undefined) li.dataset.eventStart = String(request.eventStartAt);
      li.setAttribute(
        'aria-label',
        `#${request.index}: ${started === undefined ? 'sent, waiting' : 'its work has started'}`,
      );
      return;
    }
    if (request.status === 200 && request.startTime !== undefined && request.endTime !== undefined) {
      const start = at(clock.toPage(request.startTime));
      const end = at(clock.toPage(request.endTime));
      place(wait, at(sent), start);
      place(work, start, end);
      work.className = `work ${workerClass(request.workerId)}`;
      place(tail, end, at(request.receivedAt!));
      const label = `process ${request.workerId} thread ${request.threadId}`;
      who.textContent = `${shortId(request.workerId!)} · t${request.threadId}`;
      who.className = `who ${workerClass(request.workerId)}`;
      who.title = label;
      if (request.eventStartAt !== undefined) li.dataset.eventStart = String(request.eventStartAt);
      Object.assign(li.dataset, {
        state: 'done',
        start: String(request.startTime),
        end: String(request.endTime),
        worker: String(request.workerId),
        thread: String(request.threadId),
      });
      li.setAttribute(
        'aria-label',
        `#${request.index}: waited ${formatMs(start - at(sent))}, ran ${formatMs(end - start)} on ${label}`,
      );
      li.title = `#${request.index}: sent at ${formatMs(at(sent))}, work ${formatMs(start)} → ${formatMs(end)} on ${label}, answered at ${formatMs(at(request.receivedAt!))}`;
      return;
    }
    place(wait, at(sent), at(request.receivedAt!));
    wait.className = 'wait failed';
    work.hidden = tail.hidden = true;
    who.textContent = request.status ? `HTTP ${request.status}` : 'failed';
    li.dataset.state = 'failed';
    li.title = `#${request.index} failed: ${request.error ?? 'no answer'}`;
    li.setAttribute('aria-label', li.title);
  };

  const drawStream = (run: LiveRun, at: (t: number) => number, nowMs: number): void => {
    const { stream } = run;
    const gapMs = stream.heartbeatMs * 2.5;
    for (; ticksDrawn < stream.ticks.length; ticksDrawn++) {
      const tick = at(stream.ticks[ticksDrawn]!);
      if (lastTick !== undefined && tick - lastTick <= gapMs && segment) {
        segment.style.setProperty('--b', tick.toFixed(2));
      } else {
        if (lastTick !== undefined) {
          const gap = el('i', {
            class: 'gap',
            title: `no heartbeat arrived for ${formatMs(tick - lastTick)}: the stream stalled`,
          });
          place(gap, lastTick, tick);
          loopTrack.append(gap);
        }
        segment = el('i', { class: 'alive' });
        place(segment, tick, tick);
        loopTrack.append(segment);
      }
      lastTick = tick;
    }
    const silentFor = lastTick === undefined ? 0 : at(nowMs) - lastTick;
    if (!run.done && lastTick !== undefined && silentFor > gapMs) place(silence, lastTick);
    else silence.hidden = true;
    const from = stream.workerIds.length ? `process ${stream.workerIds.map(shortId).join(', ')}` : '';
    loopNote.textContent =
      stream.state === 'failed'
        ? 'no stream'
        : stream.state === 'connecting'
          ? 'connecting'
          : !run.done && silentFor > gapMs
            ? `silent ${formatMs(silentFor)}`
            : from;
    loopNote.title = stream.error ?? (from ? `events from ${from} only` : '');
  };

  const drawProbes = (run: LiveRun, at: (t: number) => number): void => {
    run.probes.forEach((probe, i) => {
      let mark = probeMarks[i];
      if (!mark) {
        mark = el('i');
        probeMarks[i] = mark;
        healthTrack.append(mark);
      }
      if (mark.dataset.final) return;
      const kind = healthClass(probe.latencyMs, probe.ok);
      mark.className = `probe ${kind}`;
      place(mark, at(probe.sentAt), probe.latencyMs === undefined ? undefined : at(probe.sentAt + probe.latencyMs));
      if (probe.latencyMs !== undefined) {
        mark.dataset.final = '1';
        mark.title = `/health sent at ${formatMs(at(probe.sentAt))}: ${probe.ok ? 'answered' : 'no answer'} after ${formatMs(probe.latencyMs)}`;
      }
    });
    const waited = run.probes.filter((p) => p.latencyMs !== undefined).map((p) => p.latencyMs!);
    healthNote.textContent = !run.probing ? 'off' : waited.length ? `worst ${formatMs(Math.max(...waited))}` : '';
  };

  return {
    root,
    update(run, nowMs) {
      const at = (t: number): number => t - run.firedAt;
      const ends = run.requests.map((r) => (r.receivedAt === undefined ? 0 : at(r.receivedAt)));
      setSpan(Math.max(run.done ? 0 : at(nowMs), ...ends, run.ms));
      root.style.setProperty('--now', at(nowMs).toFixed(2));
      for (const request of run.requests) drawRequest(request, at, run.done);
      drawProbes(run, at);
      drawStream(run, at, nowMs);
      root.dataset.state = run.done ? 'done' : 'running';
      root.dataset.stream = run.stream.state;
      // Server minus page clock, as drawn: 0 on one machine.
      root.dataset.clockOffset = clock.offsetMs.toFixed(1);
    },
  };
}
