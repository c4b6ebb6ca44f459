// GET /lab: the live lab page, its script and style, and /lab/events, a server-sent event stream of
// this process's request events. Mounted by createApp when the server runs with --lab on (the
// default; LAB_UI in the environment or in wrangler.toml [vars]). Runtime-agnostic: the page and
// its assets are strings in modules (./lab-assets.generated.ts, built by `npm run build:lab`), so
// that Node, Bun, Deno and wrangler's bundler all serve the same bytes without reading files.
import type { Context, Env, Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE, type SSEStreamingApi } from 'hono/streaming';
import { supportedModes, workRefusal } from '../delay-params.ts';
import { MethodNotAllowedError, ModeUnsupportedError, OverloadedError } from '../errors.ts';
import { DeadlineSet } from '../deadline-set.ts';
import type { BusEvent, EventBus } from '../events.ts';
import type { LogEvent, LogFields } from '../logger.ts';
import { runDelay } from '../run-delay.ts';
import { MODES, WORKS, type CancelSignal, type Mode, type Runtime, type Work } from '../runtime.ts';
import { LAB_CSS, LAB_JS } from './lab-assets.generated.ts';
import { renderLabPage, type Unavailable } from './lab-page.ts';

export const LAB_PATHS = ['/lab', '/lab/app.js', '/lab/app.css', '/lab/events'] as const;

/** The page names each of its POST /delay requests in this header; the events of that request carry it as lab_id. */
export const LAB_ID_HEADER = 'x-lab-id';
const LAB_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** The only events a stream forwards: what happens to requests, never errors or server lifecycle. */
const REQUEST_EVENTS = new Set<LogEvent>([
  'request_received',
  'work_started',
  'work_ended',
  'work_cancelled',
  'response_sent',
]);
const FORWARDED_FIELDS = ['worker_id', 'thread_id', 'request_id', 'lab_id', 'mode', 'work', 'ms'] as const;

/** How often a stream says it is alive: a stream that falls silent is a loop that is held. */
export const HEARTBEAT_MS = 100;
/**
 * A stream ends after `?for=` ms (the page asks for as long as its run may take), at most this long,
 * and EventSource reconnects by itself if the run goes on. A bounded life matters where the server
 * cannot see the client leave, or cannot act on it: workerd sees a disconnect only when it writes,
 * and then drops the rest of the request's code.
 */
const MAX_STREAM_MS = 10 * 60_000;
const DEFAULT_STREAM_MS = 60_000;
/** Past its life, a stream whose client stopped reading is cut after this much more. */
const CUT_AFTER_MS = 20 * HEARTBEAT_MS;
/** Streams open at once in one process; more answer 503, so that idle clients cannot pile up. */
export const MAX_STREAMS = 32;
/** Events waiting to be written to one slow stream; beyond, they are dropped and counted. */
const MAX_QUEUED = 1_000;

/**
 * The CSP of every /lab response: scripts, styles and connections from this origin only, nothing
 * inline, no frames, no forms sent anywhere. (`data:` images: the page's empty favicon.)
 */
export const LAB_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export interface LabOptions {
  runtime: Runtime;
  events: EventBus;
  /** Aborts when the server begins a graceful shutdown: every event stream ends then (EventSource reconnects elsewhere, or finds the server gone). */
  drain?: AbortSignal;
}

export function isLabPath(path: string): boolean {
  return (LAB_PATHS as readonly string[]).includes(path);
}

/** `{ lab_id }` when the request carries a well-formed X-Lab-Id, else nothing: for the request's log fields. */
export function labIdField(header: string | undefined): { lab_id?: string } {
  return header !== undefined && LAB_ID.test(header) ? { lab_id: header } : {};
}

export function mountLab<E extends Env>(app: Hono<E>, options: LabOptions): void {
  const { runtime, events, drain } = options;
  let unavailable: Promise<Unavailable> | undefined;

  app.use('/lab', secureHeaders({ contentSecurityPolicy: LAB_CSP }));
  app.use('/lab/*', secureHeaders({ contentSecurityPolicy: LAB_CSP }));

  app.get('/lab', async (c) => {
    unavailable ??= unavailableCombinations(options);
    c.header('Cache-Control', 'no-cache');
    return c.html(renderLabPage({ runtime: runtime.name, unavailable: await unavailable }));
  });
  app.get('/lab/app.js', (c) =>
    c.body(LAB_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }),
  );
  app.get('/lab/app.css', (c) =>
    c.body(LAB_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'no-cache' }),
  );

  // Each open stream holds a slot until it ends, its client goes, or its deadline passes, whichever
  // comes first: on workerd neither the stream's `finally` nor its timers run after a disconnect, so
  // the deadline (read by every later request) is what frees the slot there in the end.
  const streams = new DeadlineSet<object>(runtime.now);
  app.get('/lab/events', (c) => {
    // HEAD: the headers alone. A stream nobody reads would hold its slot until its life ends.
    if (c.req.method === 'HEAD')
      return c.body(null, 200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    if (streams.size >= MAX_STREAMS)
      throw new OverloadedError(`${MAX_STREAMS} event streams are open in this process already`, 5);
    const asked = c.req.query('for');
    const lifeMs =
      asked !== undefined && /^\d{1,7}$/.test(asked)
        ? Math.min(MAX_STREAM_MS, Math.max(1, Number(asked)))
        : DEFAULT_STREAM_MS;
    const slot = {};
    const deadline = runtime.now() + lifeMs + CUT_AFTER_MS;
    streams.add(slot, deadline);
    const life: StreamLife = {
      lifeMs,
      deadline,
      open: streams.size,
      // The app's own client-gone signal, as POST /delay's: on workerd its abort is the one callback
      // that still runs when a write finds the client gone.
      clientGone: runtime.clientSignal?.(c.env) ?? c.req.raw.signal,
      release: () => streams.delete(slot),
      ...(drain ? { drain } : {}),
    };
    return streamSSE(c, (stream) => streamEvents(stream, runtime, events, life));
  });

  for (const path of LAB_PATHS) {
    app.all(path, (c: Context) => {
      throw new MethodNotAllowedError(`${c.req.method} is not allowed on ${path}; use GET or HEAD`, ['GET', 'HEAD']);
    });
  }
}

interface StreamLife {
  lifeMs: number;
  /** Epoch ms: the stream's slot and subscription end then, whatever became of its request. */
  deadline: number;
  /** Streams open in this process, this one included. */
  open: number;
  clientGone: CancelSignal;
  /** Frees the stream's slot; idempotent. */
  release: () => void;
  drain?: AbortSignal;
}

/**
 * Writes `hello`, then every request event of this process as `log`, and a `tick` with the server's
 * clock every HEARTBEAT_MS, until the client leaves or `lifeMs` pass. Everything is written
 * from this one loop: a loop held by blocking work writes nothing, and the page sees the silence.
 */
async function streamEvents(
  stream: SSEStreamingApi,
  runtime: Runtime,
  events: EventBus,
  { lifeMs, deadline, open, clientGone, release, drain }: StreamLife,
): Promise<void> {
  const queue: BusEvent[] = [];
  let dropped = 0;
  let wake: (() => void) | undefined;
  const unsubscribe = events.subscribe((event) => {
    if (!REQUEST_EVENTS.has(event.event)) return;
    if (queue.length >= MAX_QUEUED) dropped++;
    else queue.push(event);
    wake?.();
  }, deadline);
  // Synchronous, so that it runs where nothing after an `await` will (workerd, after a disconnect).
  const end = (): void => {
    release();
    unsubscribe();
    wake?.();
  };
  clientGone.addEventListener('abort', end, { once: true });
  stream.onAbort(end);
  drain?.addEventListener('abort', end);
  // A client that stops reading leaves a write waiting for ever: past its life, the stream is cut.
  const backstop = setTimeout(() => stream.abort(), deadline - runtime.now());
  try {
    // `streams`: open in this process, this one included (one that outlives its client shows here).
    const hello = {
      worker_id: runtime.workerId(),
      runtime: runtime.name,
      time: runtime.now(),
      heartbeat_ms: HEARTBEAT_MS,
      streams: open,
    };
    await stream.writeSSE({ event: 'hello', data: JSON.stringify(hello), retry: 1000 });
    const endAt = runtime.now() + lifeMs;
    let nextTick = runtime.now() + HEARTBEAT_MS;
    while (!stream.aborted && !stream.closed && !clientGone.aborted && runtime.now() < endAt && !drain?.aborted) {
      if (queue.length === 0) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.max(0, nextTick - runtime.now()));
        });
        if (timer !== undefined) clearTimeout(timer);
        wake = undefined;
      }
      for (const event of queue.splice(0)) await stream.writeSSE({ event: 'log', data: JSON.stringify(toWire(event)) });
      if (dropped > 0) {
        await stream.writeSSE({ event: 'dropped', data: JSON.stringify({ count: dropped }) });
        dropped = 0;
      }
      const now = runtime.now();
      if (now >= nextTick) {
        await stream.writeSSE({ event: 'tick', data: JSON.stringify({ time: now }) });
        nextTick = now + HEARTBEAT_MS;
      }
    }
  } finally {
    clearTimeout(backstop);
    end();
    clientGone.removeEventListener('abort', end);
    drain?.removeEventListener('abort', end);
  }
}

function toWire(event: BusEvent): LogFields {
  const wire: LogFields = { event: event.event, time: event.time };
  for (const name of FORWARDED_FIELDS) if (event.fields[name] !== undefined) wire[name] = event.fields[name];
  return wire;
}

/**
 * Every mode × work that this server refuses, with the server's own words: what POST /delay would
 * answer (400 for async with cpu work, 501 for a mode the runtime lacks), found without running work.
 */
async function unavailableCombinations({ runtime }: LabOptions): Promise<Unavailable> {
  const result: Unavailable = {};
  for (const mode of MODES) {
    for (const work of WORKS) {
      const reason = await refusal(runtime, mode, work);
      if (reason) (result[mode] ??= {})[work] = reason;
    }
  }
  return result;
}

async function refusal(runtime: Runtime, mode: Mode, work: Work): Promise<string | undefined> {
  const modes = supportedModes(runtime.pool !== undefined);
  const refused = workRefusal(mode, work, modes);
  if (refused) return refused;
  if (modes.includes(mode)) return undefined;
  // A mode the runtime lacks throws before any work starts: its message is the 501's.
  try {
    await runDelay(runtime, { mode, work, ms: 0 });
    return undefined;
  } catch (error) {
    return error instanceof ModeUnsupportedError ? error.message : undefined;
  }
}
