// One run of the live lab in the browser: n concurrent POST /delay to this origin, /health probed one
// at a time meanwhile, and the server's own events followed over GET /lab/events. Everything goes
// to the page's own origin, with relative URLs, within the limits the server announced in /info.
import type { Mode, Work } from '../../src/runtime.ts';
import { parseTimestamp } from '../../src/timestamp.ts';
import { HEALTH_PROBE_INTERVAL_MS } from '../../tools/lab/probes.ts';
import type { ClockOffset } from './clock.ts';
import { now } from './clock.ts';

export interface LiveRequest {
  index: number;
  /** Names the request in its X-Lab-Id header, its events and its resource-timing entry. */
  id: string;
  /** When the page asked for it (the Run press), and when it handed it to the browser. */
  queuedAt: number;
  sentAt?: number;
  /** When the browser really began sending it (resource timing), known after the answer. */
  wentOutAt?: number;
  /** How long the browser itself held it for want of a free connection (resource timing). */
  browserHeldMs?: number;
  /** From the event stream, on the server's clock: when its work started, and where. */
  eventStartAt?: number;
  eventWorker?: string | number;
  /** When that event reached the page (the page's clock): a held loop delivers it late. */
  eventSeenAt?: number;
  receivedAt?: number;
  status?: number;
  /** From the answer, on the server's clock. */
  startTime?: number;
  endTime?: number;
  workerId?: number | string;
  threadId?: number;
  error?: string;
}

export interface LiveProbe {
  sentAt: number;
  /** How long the answer took; absent while it waits. */
  latencyMs?: number;
  ok?: boolean;
}

export interface StreamState {
  state: 'connecting' | 'open' | 'failed';
  /** The process (or isolate) the stream is connected to: it sees only that one's events. */
  workerIds: (string | number)[];
  /**
   * When each heartbeat reached the page (the page's clock): a gap is a stream that stalled, whether
   * the server's loop could not write (blocking) or something between held the bytes back.
   */
  ticks: number[];
  heartbeatMs: number;
  /** Requests of this run whose work_started arrived over the stream (in time or not). */
  started: number;
  error?: string;
}

export interface LiveRun {
  mode: Mode;
  work: Work;
  n: number;
  ms: number;
  probing: boolean;
  /** The most requests the page hands to the browser at once (a browser's connection limit). */
  slots: number;
  firedAt: number;
  requests: LiveRequest[];
  probes: LiveProbe[];
  stream: StreamState;
  done: boolean;
}

export interface RunOptions {
  mode: Mode;
  work: Work;
  n: number;
  ms: number;
  probing: boolean;
  /** How many connections the browser opens to this origin: 6 over HTTP/1.1, unbounded over HTTP/2 and 3. */
  connections: number;
  /** How long the run may take at most, so that the server can bound the stream's life. */
  budgetMs: number;
  clock: ClockOffset;
  signal: AbortSignal;
  /** Called whenever something about the run changed, with the run. */
  onChange: (run: LiveRun) => void;
}

const STREAM_WAIT_MS = 3_000;
const LAST_PROBE_GRACE_MS = 1_000;
/** Longer than this between asking the browser to send a request and it going out: the browser held it. */
export const HELD_MS = 20;

let runs = 0;

export async function runMode(options: RunOptions): Promise<LiveRun> {
  const { mode, work, n, ms, probing, clock, signal } = options;
  const runId = `${Date.now().toString(36)}-${++runs}`;
  const stream: StreamState = { state: 'connecting', workerIds: [], ticks: [], heartbeatMs: 100, started: 0 };
  // The event stream and the /health probes hold one connection each while the requests run.
  const slots = Math.max(1, options.connections - 1 - (probing ? 1 : 0));
  const run: LiveRun = {
    mode,
    work,
    n,
    ms,
    probing,
    slots,
    firedAt: now(),
    requests: [],
    probes: [],
    stream,
    done: false,
  };
  const byId = new Map<string, LiveRequest>();
  const onChange = (): void => options.onChange(run);

  const events = openStream(run, options.budgetMs, clock, byId, onChange);
  await events.ready;
  performance.clearResourceTimings();
  run.firedAt = now();
  for (let index = 0; index < n; index++) {
    const request: LiveRequest = { index, id: `${runId}-${index}`, queuedAt: run.firedAt };
    run.requests.push(request);
    byId.set(request.id, request);
  }
  onChange();

  const stopProbes = new AbortController();
  const probes = probing ? probeHealth(run, stopProbes.signal, onChange) : Promise.resolve();
  const query = new URLSearchParams({ mode, ms: String(ms), work }).toString();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < run.requests.length && !signal.aborted)
      await send(run.requests[next++]!, query, signal, clock, onChange);
  };
  await Promise.all(Array.from({ length: Math.min(slots, n) }, worker));
  stopProbes.abort();
  await probes;
  events.close();
  await readResourceTimings(run);
  run.done = true;
  onChange();
  return run;
}

async function send(
  request: LiveRequest,
  query: string,
  signal: AbortSignal,
  clock: ClockOffset,
  onChange: () => void,
): Promise<void> {
  request.sentAt = now();
  onChange();
  try {
    // The fragment never leaves the browser; it names the request's resource-timing entry.
    const response = await fetch(`/delay?${query}#${request.id}`, {
      method: 'POST',
      headers: { 'x-lab-id': request.id },
      cache: 'no-store',
      signal,
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    request.receivedAt = now();
    request.status = response.status;
    if (response.status === 200) {
      request.startTime = parseServerTime(body.start_time);
      request.endTime = parseServerTime(body.end_time);
      request.workerId = body.worker_id as number | string;
      request.threadId = Number(body.thread_id);
      clock.observe(request.startTime, request.sentAt, request.receivedAt, request.endTime);
    } else {
      request.error = typeof body.message === 'string' ? body.message : `HTTP ${response.status}`;
    }
  } catch (error) {
    request.receivedAt = now();
    request.status = 0;
    request.error = signal.aborted ? 'stopped before its answer came' : `no answer: ${(error as Error).message}`;
  }
  onChange();
}

/**
 * One probe at a time, a new one every HEALTH_PROBE_INTERVAL_MS, until `stop`: a held loop shows as
 * one long probe. The probe out when the run ends may take LAST_PROBE_GRACE_MS more to be answered;
 * then it is cut off and counts as unanswered, as in the terminal lab (under wrangler dev a probe
 * sent while the isolate was blocked was never answered).
 */
async function probeHealth(run: LiveRun, stop: AbortSignal, onChange: () => void): Promise<void> {
  const cut = new AbortController();
  stop.addEventListener('abort', () => setTimeout(() => cut.abort(), LAST_PROBE_GRACE_MS), { once: true });
  while (!stop.aborted) {
    const probe: LiveProbe = { sentAt: now() };
    run.probes.push(probe);
    onChange();
    try {
      const response = await fetch('/health', { cache: 'no-store', signal: cut.signal });
      await response.text();
      probe.ok = response.ok;
    } catch {
      probe.ok = false;
    }
    probe.latencyMs = now() - probe.sentAt;
    const pause = probe.sentAt + HEALTH_PROBE_INTERVAL_MS - now();
    if (pause > 0 && !stop.aborted) await new Promise((resolve) => setTimeout(resolve, pause));
  }
}

interface Hello {
  worker_id: string | number;
  time: number;
  heartbeat_ms: number;
}

interface WireEvent {
  event: string;
  time: number;
  lab_id?: string;
  worker_id?: string | number;
}

function openStream(
  run: LiveRun,
  budgetMs: number,
  clock: ClockOffset,
  byId: Map<string, LiveRequest>,
  onChange: () => void,
): { ready: Promise<void>; close: () => void } {
  const { stream } = run;
  if (typeof EventSource === 'undefined') {
    stream.state = 'failed';
    stream.error = 'this browser has no EventSource';
    return { ready: Promise.resolve(), close: () => {} };
  }
  const openedAt = now();
  const source = new EventSource(`/lab/events?for=${Math.ceil(budgetMs)}`);
  let ready!: () => void;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  const timer = setTimeout(() => {
    if (stream.state === 'connecting') {
      stream.state = 'failed';
      stream.error = `no hello within ${STREAM_WAIT_MS / 1000} s`;
    }
    ready();
  }, STREAM_WAIT_MS);
  const parse = <T>(event: Event): T | undefined => {
    try {
      return JSON.parse((event as MessageEvent<string>).data) as T;
    } catch {
      return undefined;
    }
  };
  source.addEventListener('hello', (event) => {
    const hello = parse<Hello>(event);
    if (!hello) return;
    clock.observe(hello.time, openedAt, now());
    stream.state = 'open';
    if (!stream.workerIds.includes(hello.worker_id)) stream.workerIds.push(hello.worker_id);
    stream.heartbeatMs = hello.heartbeat_ms;
    stream.ticks.push(now());
    clearTimeout(timer);
    ready();
    onChange();
  });
  source.addEventListener('tick', () => {
    stream.ticks.push(now());
    onChange();
  });
  source.addEventListener('log', (event) => {
    const log = parse<WireEvent>(event);
    const request = log?.lab_id === undefined ? undefined : byId.get(log.lab_id);
    if (!log || !request) return;
    if (log.event === 'work_started' && request.eventStartAt === undefined) {
      request.eventStartAt = log.time;
      request.eventSeenAt = now();
      if (log.worker_id !== undefined) request.eventWorker = log.worker_id;
      stream.started++;
      onChange();
    }
  });
  source.addEventListener('error', () => {
    // A refused stream (an HTTP error) is closed for good; a dropped one reconnects by itself.
    if (source.readyState === EventSource.CLOSED || stream.state === 'connecting') {
      stream.state = stream.state === 'open' ? 'open' : 'failed';
      stream.error ??= 'the server refused or closed the event stream';
      clearTimeout(timer);
      ready();
      onChange();
    }
  });
  return {
    ready: readyPromise,
    close: () => {
      clearTimeout(timer);
      source.close();
    },
  };
}

/** When the browser really sent each request: it holds some back when it has no free connection. */
async function readResourceTimings(run: LiveRun): Promise<void> {
  const wanted = run.requests.filter((r) => r.sentAt !== undefined);
  const find = (request: LiveRequest): PerformanceResourceTiming | undefined =>
    performance.getEntriesByName(
      new URL(
        `/delay?${new URLSearchParams({ mode: run.mode, ms: String(run.ms), work: run.work })}#${request.id}`,
        location.href,
      ).href,
    )[0] as PerformanceResourceTiming | undefined;
  // Entries are added a little after each answer: wait a few frames for the last ones.
  for (let frame = 0; frame < 30 && wanted.some((r) => !find(r)); frame++)
    await new Promise((resolve) => requestAnimationFrame(resolve));
  for (const request of wanted) {
    const entry = find(request);
    if (!entry || entry.requestStart <= 0) continue;
    request.wentOutAt = performance.timeOrigin + entry.requestStart;
    // Time spent opening a connection is not holding: only the wait for one counts.
    request.browserHeldMs = entry.requestStart - Math.max(entry.startTime, entry.connectEnd);
  }
}

/** Requests whose work_started came over the stream while their work still ran: bars that turned solid live. */
export function startedLive(run: LiveRun, clock: ClockOffset): number {
  return run.requests.filter(
    (r) => r.eventSeenAt !== undefined && r.endTime !== undefined && r.eventSeenAt < clock.toPage(r.endTime),
  ).length;
}

/** Requests the browser (or the page, for the browser's sake) held back for longer than HELD_MS. */
export function heldRequests(run: LiveRun): number {
  return run.requests.filter((r) => {
    if (r.sentAt === undefined) return false;
    return r.sentAt - r.queuedAt > HELD_MS || (r.browserHeldMs ?? 0) > HELD_MS;
  }).length;
}

/** The server's `YYYY-MM-DD HH:MM:SS.ffffff` as epoch ms; undefined for anything else. */
function parseServerTime(value: unknown): number | undefined {
  try {
    return parseTimestamp(String(value));
  } catch {
    return undefined;
  }
}
