// The runtime-agnostic Hono app: every route of the HTTP API (docs/api.md).
import { Hono, type Context } from 'hono';
import type { DelayAnswer, HelloAnswer, InfoAnswer } from './api/answers.ts';
import { openApiDocument } from './api/openapi-document.ts';
import { parseDelayParams, supportedModes, type DelayDefaults, type DelayParams } from './delay-params.ts';
import {
  ClientClosedError,
  HttpError,
  InvalidRequestError,
  MethodNotAllowedError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  ShuttingDownError,
  WorkCancelledError,
  errorBody,
} from './errors.ts';
import { beforeDrain } from './before-drain.ts';
import { DOCS_PATHS, mountDocs, type DocsAssetSource } from './docs-ui/docs-routes.ts';
import { EventBus, publishingLogger } from './events.ts';
import { readLimitedText } from './limited-body.ts';
import { LAB_ID_HEADER, LAB_PATHS, labIdField, mountLab } from './lab-ui/lab-routes.ts';
import type { LogFields, Logger } from './logger.ts';
import type { LoopLagMonitor } from './loop-lag.ts';
import { Metrics } from './metrics.ts';
import { EXPOSITION_CONTENT_TYPE } from './observability/exposition.ts';
import type { ClusterView } from './observability/supervisor-link.ts';
import { racingRequestTimeout, settlesAtOnce } from './request-timeout.ts';
import { delayMessage, hearsClientLeave, runDelay } from './run-delay.ts';
import type { Mode, Runtime } from './runtime.ts';
import { formatTimestamp } from './timestamp.ts';

export interface AppOptions {
  runtime: Runtime;
  /** The mode of a request that names none (the server's --mode). */
  defaultMode: Mode;
  maxDelayMs: number;
  logger: Logger;
  /** Bodies above this many bytes get 413 before they are read whole. */
  maxBodyBytes?: number;
  /** The loop's lag, for /metrics and for shedding; absent where the runtime has no long-lived loop. */
  loopLag?: LoopLagMonitor;
  /** Above this lag (ms), every route but the probes (/health, /info, /metrics) answers 503 at once, as Fastify's under-pressure does; 0 = never. */
  maxEventLoopDelayMs?: number;
  /** This process's counters; made here when absent. A supervised process shares them with its supervisor link. */
  metrics?: Metrics;
  /** Under --workers: /metrics and /info answer for every process, through the supervisor. Absent for a lone process. */
  cluster?: ClusterView;
  /** GET /lab, the live lab page, and /lab/events, this process's request events (--lab on). */
  labUi?: boolean;
  /** GET /docs, Swagger UI over /openapi.json (--docs on), with the way this runtime reads its files; absent: off. */
  docs?: DocsAssetSource;
  /**
   * The CPU time the platform allows one request (Workers' [limits] cpu_ms): blocking work that asks
   * for more is refused with 400. Absent where nothing limits it (Node, Bun, Deno).
   */
  cpuLimitMs?: number;
  /**
   * A request whose body has not arrived whole this long after the app began to read it gets 408 and
   * `Connection: close` (--request-timeout). Absent where the platform bounds requests itself (Workers).
   */
  requestTimeoutMs?: number;
  /** Aborts when a graceful shutdown begins (src/serve/connections.ts): the lab's event streams end then, rather than hold the shutdown. */
  drain?: AbortSignal;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/** Which methods each path answers, for 405 and its Allow header. HEAD comes with every GET. */
const ROUTES: Record<string, string[]> = {
  '/': ['GET', 'HEAD'],
  '/health': ['GET', 'HEAD'],
  '/info': ['GET', 'HEAD'],
  '/delay': ['POST'],
  '/metrics': ['GET', 'HEAD'],
  '/openapi.json': ['GET', 'HEAD'],
};

const STANDARD_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']);

/** Routes that keep answering under pressure: probes must tell the truth about a lagging server. */
const NEVER_SHED = new Set(['/health', '/info', '/metrics']);

type AppEnv = { Variables: { mode: string } };

export function createApp(options: AppOptions): Hono<AppEnv> {
  const { runtime, defaultMode, maxDelayMs } = options;
  // The live lab follows the log events: every one logged is published to the page's event streams too.
  const events = new EventBus(runtime.now);
  const logger = options.labUi ? publishingLogger(options.logger, events, runtime.now) : options.logger;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const delayDefaults: DelayDefaults = {
    mode: defaultMode,
    maxDelayMs,
    modes: supportedModes(runtime.pool !== undefined),
    cpuLimitMs: options.cpuLimitMs,
  };
  let requestCount = 0;
  const metrics = options.metrics ?? new Metrics();
  const { cluster } = options;
  const app = new Hono<AppEnv>();

  const maxLag = options.maxEventLoopDelayMs ?? 0;
  /** 503 at once when the loop lags beyond --max-event-loop-delay; the probes always answer. */
  const shed = (route: string): Response | undefined => {
    if (maxLag === 0 || NEVER_SHED.has(route)) return undefined;
    const lag = options.loopLag?.lagMs() ?? 0;
    return lag > maxLag
      ? new OverloadedError(`the event loop is ${Math.round(lag)} ms behind (limit ${maxLag} ms)`, 1).toResponse()
      : undefined;
  };
  const ended = (c: Context<AppEnv>, route: string, status: number): void => {
    // Labels from a closed set: a client inventing methods must not grow /metrics without end.
    const method = STANDARD_METHODS.has(c.req.method) ? c.req.method : 'OTHER';
    metrics.requestEnded(route, method, c.get('mode') ?? '', status);
  };
  const failed = (c: Context<AppEnv>, route: string, error: unknown): never => {
    ended(c, route, error instanceof HttpError ? error.status : 500); // as app.onError answers it
    throw error;
  };
  /**
   * Counts a request in /metrics and sheds load, around one route's handler rather than in a global
   * middleware: a route with a single handler keeps Hono's synchronous fast path.
   */
  const counted =
    (route: string, handler: (c: Context<AppEnv>) => Response | Promise<Response>) =>
    (c: Context<AppEnv>): Response | Promise<Response> => {
      metrics.requestStarted();
      // A request that arrives once a shutdown began (on a connection opened before): refused here, not
      // before the app, so that /metrics counts it like any other answer (src/serve/connections.ts).
      const refused = options.drain?.aborted ? new ShuttingDownError().toResponse() : shed(route);
      if (refused) {
        ended(c, route, refused.status);
        return refused;
      }
      let answer: Response | Promise<Response>;
      try {
        answer = handler(c);
      } catch (error) {
        return failed(c, route, error);
      }
      if (c.req.method === 'HEAD') answer = Promise.resolve(answer).then(withLength);
      if (!(answer instanceof Promise)) {
        ended(c, route, answer.status);
        return answer;
      }
      return answer.then(
        (response) => {
          ended(c, route, response.status);
          return response;
        },
        (error: unknown) => failed(c, route, error),
      );
    };

  app.get(
    '/',
    counted('/', (c) => {
      if (logger.enabled)
        logger.info('request_received', 'GET / handled', { worker_id: runtime.workerId(), thread_id: 0 });
      return c.json({
        message: 'Hello World',
        worker_id: runtime.workerId(),
        runtime: runtime.name,
      } satisfies HelloAnswer);
    }),
  );

  app.get(
    '/health',
    counted('/health', (c) => c.json({ status: 'ok' })),
  );

  app.get(
    '/metrics',
    counted('/metrics', async (c) =>
      c.text(cluster ? await cluster.metrics() : metrics.render(runtime, options.loopLag), 200, {
        'Content-Type': EXPOSITION_CONTENT_TYPE,
      }),
    ),
  );

  app.get(
    '/info',
    counted('/info', async (c) =>
      c.json({
        runtime: runtime.name,
        version: runtime.version,
        worker_id: runtime.workerId(),
        modes: supportedModes(runtime.pool !== undefined),
        default_mode: defaultMode,
        max_delay_ms: maxDelayMs,
        max_body_bytes: maxBodyBytes,
        pool: runtime.pool
          ? (({ minThreads, maxThreads, maxQueue }) => ({
              min_threads: minThreads,
              max_threads: maxThreads,
              max_queue: maxQueue,
            }))(runtime.pool.stats())
          : null,
        processes: cluster ? { ...runtime.processes, ...(await cluster.processes()) } : runtime.processes,
      } satisfies InfoAnswer),
    ),
  );

  // Built on the first request for it: the document depends only on this server's settings.
  let document: string | undefined;
  app.get(
    '/openapi.json',
    counted('/openapi.json', (c) => {
      document ??= JSON.stringify(
        openApiDocument({
          defaultMode,
          maxDelayMs,
          maxBodyBytes,
          modes: supportedModes(runtime.pool !== undefined),
          labUi: options.labUi ?? false,
          docsUi: options.docs !== undefined,
          metricsContentType: EXPOSITION_CONTENT_TYPE,
          cpuLimitMs: options.cpuLimitMs,
        }),
      );
      return c.body(document, 200, { 'Content-Type': 'application/json' });
    }),
  );
  /**
   * Reads the request body; when its stream fails, the client closed the connection before the body
   * arrived whole (or the runtime closed it on a malformed body): a 499, not a server error. Each
   * runtime says it its own way (Node "aborted", Bun "The connection was closed.", Deno BadResource):
   * this is the one place that hears all of them. In a shutdown, Deno ends the bodies still arriving
   * itself: that client is still there, and is told to send again. A body still arriving when the
   * request timeout runs out gets 408 (a RequestTimeoutError, from ./request-timeout.ts).
   */
  const { requestTimeoutMs } = options;
  const readingBody = async <T>(read: () => Promise<T>): Promise<T> => {
    try {
      const reading = read();
      // A body already here (none at all, or all in its first packet: every bodyless POST on Deno) is
      // read within a few microtask turns, before any shutdown or deadline could come: it needs no
      // listener on the drain and no timer. Only a body still arriving races the two.
      if (await settlesAtOnce(reading)) return await reading;
      const racing = beforeDrain(reading, options.drain);
      return await (requestTimeoutMs === undefined ? racing : racingRequestTimeout(racing, requestTimeoutMs));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw options.drain?.aborted ? new ShuttingDownError() : new ClientClosedError();
    }
  };

  const tooLarge = (): Response => new PayloadTooLargeError(maxBodyBytes).toResponse();
  /** The body's length from its headers (0 for none); undefined when only reading it tells (chunked, HTTP/2, app.request). */
  const declaredLength = (c: Context): number | undefined => {
    if (c.req.header('transfer-encoding') !== undefined) return undefined;
    const length = c.req.header('content-length');
    if (length !== undefined) return parseInt(length, 10) || 0;
    // HTTP/1.1: a request with neither header has no body.
    return runtime.http1Only ? 0 : undefined;
  };

  /** `body`: the declared length of a body not read yet, or the text of one read already (./limited-body.ts). */
  const delay = async (c: Context<AppEnv>, body: number | string): Promise<Response> => {
    const requestId = ++requestCount;
    // The log's fields are built only when something reads them (--log on, or a lab page subscribed).
    if (logger.enabled)
      logger.info('request_received', 'Received POST request to delay endpoint', requestFields(runtime, c, requestId));

    // The query parsed once: every name given once, its one value (what c.req.query() would parse again).
    const queries = c.req.queries();
    const query: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const name of Object.keys(queries)) {
      const values = queries[name]!;
      if (values.length > 1) throw new InvalidRequestError(`\`${name}\` is given more than once in the query`);
      query[name] = values[0]!;
    }
    const text = typeof body === 'string' ? body : body === 0 ? '' : await readingBody(() => c.req.text());
    let json: unknown;
    if (text.trim() !== '') {
      try {
        json = JSON.parse(text);
      } catch {
        throw new InvalidRequestError('the body is not valid JSON; send a JSON object or no body');
      }
    }
    const parsed = parseDelayParams(query, json, delayDefaults);
    if (!parsed.ok) throw new InvalidRequestError(parsed.message);
    const params = parsed.value;
    c.set('mode', params.mode);

    try {
      const signal = hearsClientLeave(params) ? (runtime.clientSignal?.(c.env) ?? c.req.raw.signal) : undefined;
      const timing = await runDelay(runtime, params, signal, (startedAt, threadId) => {
        if (logger.enabled)
          logger.info(
            'work_started',
            `Starting delay at ${formatTimestamp(startedAt)}`,
            workFields(runtime, c, requestId, params, threadId),
          );
      });
      const start_time = formatTimestamp(timing.startedAt);
      const end_time = formatTimestamp(timing.endedAt);
      if (logger.enabled)
        logger.info(
          'work_ended',
          `Ending delay at ${end_time}`,
          workFields(runtime, c, requestId, params, timing.threadId),
        );
      const response: DelayAnswer = {
        message: delayMessage(params.ms),
        ...params,
        runtime: runtime.name,
        worker_id: runtime.workerId(),
        thread_id: timing.threadId,
        start_time,
        end_time,
        // The CPU the work's thread spent on it: at most the time between start and end, less when
        // the thread shared its core. Unknown (null) for an async wait and where the runtime cannot tell.
        cpu_ms: timing.cpuMs === undefined ? null : Math.round(timing.cpuMs * 10) / 10,
      };
      if (logger.enabled) {
        logger.info(
          'response_sent',
          `Sending response: ${JSON.stringify(response)}`,
          workFields(runtime, c, requestId, params, timing.threadId),
        );
      }
      return c.json(response);
    } catch (error) {
      // Nobody reads a 499: it is the de-facto code for "client closed request", for logs and metrics.
      if (error instanceof WorkCancelledError && logger.enabled)
        logger.info(
          'work_cancelled',
          'Client went away; its work was cancelled',
          workFields(runtime, c, requestId, params, 0),
        );
      throw error;
    }
  };

  app.post(
    '/delay',
    counted('/delay', async (c) => {
      const length = declaredLength(c);
      // Refused before a byte of it is read; the runtime's listen decides whether the connection is kept (src/serve/connections.ts).
      if (length !== undefined) return length > maxBodyBytes ? tooLarge() : delay(c, length);
      // Read whole first (into memory, at most maxBodyBytes), counted as it arrives; delay() then parses it.
      const text = await readingBody(() => readLimitedText(c.req.raw.body, maxBodyBytes));
      return text === undefined ? tooLarge() : delay(c, text);
    }),
  );

  /** Routes with several handlers each (secure headers, 405): counted by a middleware on their paths alone. */
  const countEach = (paths: readonly string[]): void => {
    for (const path of paths) {
      app.use(path, async (c, next) => {
        const refused = await counted(path, async () => {
          await next();
          return c.res;
        })(c);
        if (refused !== c.res) c.res = refused;
      });
    }
  };

  if (options.docs) {
    countEach(DOCS_PATHS);
    mountDocs(app, { assets: options.docs });
  }

  if (options.labUi) {
    countEach(LAB_PATHS);
    mountLab(app, { runtime, events, ...(options.drain ? { drain: options.drain } : {}) });
  }

  // No route has this method and path: 405 on a known path, 404 elsewhere. Not app.all(path), which
  // would give GET / a second handler and so take it off Hono's fast path.
  app.notFound((c) => {
    const path = c.req.path;
    const methods = Object.hasOwn(ROUTES, path) ? ROUTES[path] : undefined;
    // CONNECT's target is a host and port, not a path (RFC 9110 §9.3.6): no route could take it.
    const error =
      c.req.method === 'CONNECT'
        ? new MethodNotAllowedError('CONNECT is for proxies, and this server is not one', ['GET', 'HEAD', 'POST'])
        : methods
          ? new MethodNotAllowedError(`${c.req.method} is not allowed on ${path}; use ${methods.join(' or ')}`, methods)
          : new NotFoundError(
              `no route ${c.req.method} ${shorten(path)}; the routes are ${[...Object.keys(ROUTES), ...(options.labUi ? ['/lab'] : []), ...(options.docs ? ['/docs'] : [])].join(', ')}`,
            );
    return counted(methods ? path : 'unmatched', () => error.toResponse())(c);
  });

  app.onError((error) => {
    if (error instanceof HttpError) return error.toResponse();
    logger.error('error', `Unhandled error: ${error instanceof Error ? error.message : String(error)}`, {
      worker_id: runtime.workerId(),
    });
    // Never the stack or the error's own message: they are for the log, not for the client.
    return Response.json(
      errorBody('internal_error', 'the server failed to answer this request; the error is in its log'),
      { status: 500 },
    );
  });

  return app;
}

/**
 * HEAD gets GET's headers and no body (Hono drops it); the body is measured here so that its
 * Content-Length is GET's (RFC 9110 §9.3.2), which Bun and Deno would otherwise give as 0 and Node
 * leave out. A stream (the lab's events) has no length to give.
 */
async function withLength(response: Response): Promise<Response> {
  if (!response.body || response.headers.has('content-length')) return response;
  if (response.headers.get('content-type')?.startsWith('text/event-stream')) return response;
  const headers = new Headers(response.headers);
  headers.set('Content-Length', String((await response.arrayBuffer()).byteLength));
  return new Response(null, { status: response.status, statusText: response.statusText, headers });
}

// The fields of the log lines about one POST /delay, as functions of the module rather than closures
// made per request: tsx (esbuild's keepNames) wraps each named closure in a call that sets its name,
// about 3% of Node's `POST /delay?mode=async` (docs/performance.md).

/** Who served the request, and the lab page that sent it (if one did). */
function requestFields(runtime: Runtime, c: Context, requestId: number): LogFields {
  return {
    worker_id: runtime.workerId(),
    thread_id: 0,
    request_id: requestId,
    ...labIdField(c.req.header(LAB_ID_HEADER)),
  };
}

/** requestFields, then the work: its mode, kind and length, and the thread that runs it. */
function workFields(runtime: Runtime, c: Context, requestId: number, params: DelayParams, threadId: number): LogFields {
  return {
    ...requestFields(runtime, c, requestId),
    mode: params.mode,
    work: params.work,
    ms: params.ms,
    thread_id: threadId,
  };
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}
