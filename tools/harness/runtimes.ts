// The runtime matrix: how to start each runtime's server on a port with some settings, and what
// it can do. The cross-runtime suites in test/, the lab, the bench and the soak all read it. Adding a
// runtime is adding one entry here and one project in vitest.config.ts.
import { fileURLToPath } from 'node:url';
import type { DenoServer } from '../../src/config.ts';
import type { LogFormat } from '../../src/logger.ts';
import type { Mode, RuntimeName } from '../../src/runtime.ts';
import type { BalanceMode } from '../../src/serve/balance.ts';
import { UNREAD_BODY_DISCARD_BYTES } from '../../src/serve/connections.ts';
import type { ServerProcess } from './server-process.ts';

/** Server settings a test asks for; each runtime turns them into its own flags or variables. */
export interface ServerSettings {
  mode?: Mode;
  workers?: number;
  /** With workers: --balance (least-busy when absent). */
  balance?: BalanceMode;
  poolThreads?: number;
  maxQueue?: number;
  maxDelayMs?: number;
  shutdownTimeoutMs?: number;
  /** With workers: --startup-timeout. */
  startupTimeoutMs?: number;
  maxEventLoopDelayMs?: number;
  /** --deno-server (Deno only): which server takes connections. */
  denoServer?: DenoServer;
  /** --request-timeout: how long a request's body may take to arrive whole. */
  requestTimeoutMs?: number;
  /** JSON lines by default (tests and the lab wait on them); `off` for benchmarks. */
  log?: LogFormat;
  /** --max-connections: most connections a process holds. */
  maxConnections?: number;
  /** The live lab page at /lab: on unless false (--lab off, or LAB_UI = "off" in [vars] on Workers). */
  lab?: boolean;
  /** The API docs page at /docs: on unless false (--docs off, or LAB_DOCS = "off" in [vars] on Workers). */
  docs?: boolean;
}

export interface RuntimeUnderTest {
  name: RuntimeName;
  /** The command that serves the app on 127.0.0.1:`port` with `settings`, logging JSON lines. */
  command(port: number, settings: ServerSettings): { command: string; args: string[]; env?: Record<string, string> };
  /** True once the server takes requests. */
  isReady(server: ServerProcess, port: number): Promise<boolean> | boolean;
  hasPool: boolean;
  /** Whether answers say the CPU time the work took (`cpu_ms`): a thread CPU clock exists (not on Workers). */
  reportsCpuTime: boolean;
  /** Whether `--workers N` starts N processes. */
  hasWorkers: boolean;
  /** Whether the server is configured by command-line flags (and rejects bad ones). */
  hasCli: boolean;
  /** Whether SIGTERM drains in-flight requests and exits 0. */
  hasGracefulShutdown: boolean;
  /** Whether a client that disconnects aborts its request's signal, so its wait is cancelled. */
  cancelsOnDisconnect: boolean;
  /**
   * Whether two requests written in one packet are both answered, in order, when the first one's
   * answer is not ready at once. Bun 1.4 closes the connection answering neither (uWS refuses
   * "async pipelining"); two requests answered at once are answered in order everywhere.
   */
  pipelinesBehindPendingAnswer: boolean;
  /**
   * A connection whose request headers have not arrived whole in time (trickled, or nothing sent):
   * `json 408` is answered then closed, `closed` without an answer, `kept` has no such timeout.
   */
  slowHeaders: 'json 408' | 'closed' | 'kept';
  /** Whether --max-connections caps the connections a process holds, and /metrics counts open and refused ones. */
  capsConnections: boolean;
  /** Whether the server closes a kept-alive connection that stays idle. */
  closesIdleConnections: boolean;
  /**
   * An answer given before its request's body was read: above this declared length it says
   * `Connection: close`; undefined where the runtime reads and throws away a body of any length and
   * keeps the connection.
   */
  closesAboveUnreadBodyBytes: number | undefined;
  /** Whether the server closes the connection after an answer that says `Connection: close` (Deno sends the header and leaves the closing to the client, except in a shutdown). */
  closesAfterConnectionClose: boolean;
  /**
   * Whether a connection whose request body still trickles at --request-timeout is closed by the
   * server. Deno.serve keeps reading such a body, whatever the answer says, until the client stops.
   */
  closesSlowBodies: boolean;
  /** Whether, after answering a chunked body that the app stopped reading (413), the connection still answers the next request. */
  answersAfterUnreadChunkedBody: boolean;
  /** Whether a drain closes at once a connection that has sent part of a request (else the request, if it comes whole, gets 503 shutting_down). */
  drainClosesHalfSentRequests: boolean;
  /**
   * Whether a drain waits, after the answer, for a request body still arriving to end (or for
   * --shutdown-timeout): Deno.serve's shutdown() does, and gives no way to close that connection.
   */
  drainWaitsForBodyInTransit: boolean;
  /**
   * Whether pipelined requests on one connection are handed to the app together (Node), rather than
   * one after another's answer (Deno) or not at all (Bun): only then can a queued one be cancelled.
   */
  servesPipelinedRequestsAtOnce: boolean;
  /**
   * Odd requests the runtime's own HTTP layer answers before the app can, with this status and an
   * empty body (docs/api.md#what-the-runtimes-answer-themselves); every other one gets the app's JSON.
   */
  answersItself: Partial<Record<OddRequest, number>>;
}

/** Requests the contract answers in JSON where the runtime lets the app answer at all. */
export type OddRequest = 'malformed' | 'missing-host' | 'asterisk-form' | 'long-url' | 'long-headers';

/** The flags every process-based entry (Node, Bun, Deno) takes, from src/config.ts. */
export function toFlags(port: number, settings: ServerSettings): string[] {
  const flags = [`--port=${port}`, '--host=127.0.0.1', `--log=${settings.log ?? 'json'}`];
  if (settings.mode) flags.push(`--mode=${settings.mode}`);
  if (settings.workers) flags.push(`--workers=${settings.workers}`);
  if (settings.balance) flags.push(`--balance=${settings.balance}`);
  if (settings.poolThreads) flags.push(`--pool-threads=${settings.poolThreads}`);
  if (settings.maxQueue !== undefined) flags.push(`--max-queue=${settings.maxQueue}`);
  if (settings.maxDelayMs !== undefined) flags.push(`--max-delay-ms=${settings.maxDelayMs}`);
  if (settings.shutdownTimeoutMs !== undefined) flags.push(`--shutdown-timeout=${settings.shutdownTimeoutMs}`);
  if (settings.startupTimeoutMs !== undefined) flags.push(`--startup-timeout=${settings.startupTimeoutMs}`);
  if (settings.maxEventLoopDelayMs !== undefined) flags.push(`--max-event-loop-delay=${settings.maxEventLoopDelayMs}`);
  if (settings.denoServer) flags.push(`--deno-server=${settings.denoServer}`);
  if (settings.requestTimeoutMs !== undefined) flags.push(`--request-timeout=${settings.requestTimeoutMs}`);
  if (settings.maxConnections !== undefined) flags.push(`--max-connections=${settings.maxConnections}`);
  if (settings.lab === false) flags.push('--lab=off');
  if (settings.docs === false) flags.push('--docs=off');
  return flags;
}

/**
 * wrangler without a terminal, a login or the network: no metrics or error reports, no banner
 * (the banner runs an update check against the npm registry), no fetch of the Request.cf object
 * from workers.cloudflare.com, no colour codes in the lines the harness reads.
 */
export const WRANGLER_HEADLESS_ENV: Record<string, string> = {
  CI: 'true',
  WRANGLER_SEND_METRICS: 'false',
  WRANGLER_SEND_ERROR_REPORTS: 'false',
  WRANGLER_HIDE_BANNER: 'true',
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  NO_COLOR: '1',
};

/** The native Deno binary that the deno package installs. */
export const DENO = 'node_modules/deno/deno';
/** Holds a stop signal that comes while a server's modules load (src/serve/early-signal.ts); every runtime loads it first. */
export const HOLD_SIGNALS = './adapters/preload/hold-signals.js';
/** `-q`: Deno's own notices (the experimental config-permissions warning, in colour codes) stay out of the server's log. */
export const DENO_START_ARGS = ['run', '-q', '--no-prompt', '-P', '--preload', HOLD_SIGNALS, 'adapters/deno/main.ts'];
/** What `npm start` runs after `node`: the signal hold first (it must load before the entry's modules), then tsx. */
export const NODE_START_ARGS = ['--import', HOLD_SIGNALS, '--import', 'tsx', 'adapters/node/main.ts'];
/** What `npm run start:bun` runs after `bun`. */
export const BUN_START_ARGS = ['--preload', HOLD_SIGNALS, 'adapters/bun/main.ts'];

const loggedReady = (server: ServerProcess): boolean => server.logs.some((entry) => entry.event === 'server_ready');

/** What Node, Bun and Deno have alike: a process that logs server_ready, with every capability. */
const PROCESS_RUNTIME = {
  isReady: loggedReady,
  hasPool: true,
  reportsCpuTime: true,
  hasWorkers: true,
  hasCli: true,
  hasGracefulShutdown: true,
  cancelsOnDisconnect: true,
  pipelinesBehindPendingAnswer: true,
  closesIdleConnections: true,
  closesAfterConnectionClose: true,
  closesSlowBodies: true,
  answersAfterUnreadChunkedBody: true,
  drainClosesHalfSentRequests: false,
  drainWaitsForBodyInTransit: false,
  servesPipelinedRequestsAtOnce: false,
} satisfies Partial<RuntimeUnderTest>;

export const RUNTIMES: Record<string, RuntimeUnderTest> = {
  node: {
    name: 'node',
    command: (port, settings) => ({
      command: process.execPath,
      args: [...NODE_START_ARGS, ...toFlags(port, settings)],
    }),
    ...PROCESS_RUNTIME,
    // node:http's headersTimeout, answered by adapters/node-http/client-error.ts.
    slowHeaders: 'json 408',
    // adapters/node-http/connections.ts: Go's rule.
    closesAboveUnreadBodyBytes: UNREAD_BODY_DISCARD_BYTES,
    servesPipelinedRequestsAtOnce: true,
    // adapters/node-http/listen.ts and client-error.ts answer all of them in JSON.
    answersItself: {},
    // adapters/node-http/connection-guard.ts, on node:net's maxConnections.
    capsConnections: true,
  },
  workerd: {
    name: 'workerd',
    // wrangler.js directly (not npx: one process layer fewer); it runs local workerd. The settings
    // a test asks for become `--var` overrides of wrangler.toml's [vars]; the rest (workers, pool)
    // has no meaning on Workers, and the tests that need it are not registered for this entry.
    command: (port, settings) => ({
      command: process.execPath,
      args: [
        'node_modules/wrangler/bin/wrangler.js',
        'dev',
        '--ip=127.0.0.1',
        `--port=${port}`,
        '--inspector-port=0',
        '--show-interactive-dev-session=false',
        // `log` (not `info`) is the level that lets the worker's console.log lines through; they
        // reach stdout unchanged, one JSON object a line, so waitForLog sees them.
        '--log-level=log',
        `--var=LAB_LOG:${settings.log ?? 'json'}`,
        ...(settings.mode ? [`--var=LAB_MODE:${settings.mode}`] : []),
        ...(settings.maxDelayMs !== undefined ? [`--var=LAB_MAX_DELAY_MS:${settings.maxDelayMs}`] : []),
        ...(settings.lab === false ? ['--var=LAB_UI:off'] : []),
        ...(settings.docs === false ? ['--var=LAB_DOCS:off'] : []),
      ],
      env: WRANGLER_HEADLESS_ENV,
    }),
    // The app logs nothing at startup on Workers (it is built on the first request): wrangler's
    // own line says when the port takes requests.
    isReady: (server, port) => server.output.some((line) => line.includes(`Ready on http://127.0.0.1:${port}`)),
    hasPool: false,
    reportsCpuTime: false,
    hasWorkers: false,
    hasCli: false,
    // Measured: on SIGTERM wrangler dev stops workerd at once; an in-flight request loses its connection.
    hasGracefulShutdown: false,
    // Measured, under wrangler dev and plain `workerd serve` alike: workerd sees a disconnect only
    // when it writes the answer, so request.signal does not abort during a wait (docs/runtimes.md).
    cancelsOnDisconnect: false,
    // Measured under wrangler dev 4.86 (its local proxy, not deployed Workers): pipelined requests
    // are answered in order; a connection that has not sent whole headers is closed after 15 s
    // without an answer, an idle kept-alive one after 5 s; an unread body of any declared length is
    // read and thrown away; but after answering a chunked body the app stopped reading, the next
    // request on that connection is never answered. No drain: no graceful shutdown.
    pipelinesBehindPendingAnswer: true,
    slowHeaders: 'closed',
    closesIdleConnections: true,
    closesAboveUnreadBodyBytes: undefined,
    closesAfterConnectionClose: true,
    // Not measured: no --request-timeout on Workers; the slow-body suite runs on process runtimes only.
    closesSlowBodies: false,
    answersAfterUnreadChunkedBody: false,
    drainClosesHalfSentRequests: false,
    drainWaitsForBodyInTransit: false,
    servesPipelinedRequestsAtOnce: false,
    // Not measured through wrangler dev's proxy: the odd-request suite runs on process runtimes only.
    answersItself: {},
    capsConnections: false,
  },
  bun: {
    name: 'bun',
    // node_modules/.bin/bun is the native binary once bun's postinstall ran (allowScripts), not a node wrapper.
    command: (port, settings) => ({
      command: fileURLToPath(new URL('../../node_modules/.bin/bun', import.meta.url)),
      args: [...BUN_START_ARGS, ...toFlags(port, settings)],
    }),
    ...PROCESS_RUNTIME,
    // Measured on Bun 1.4.5: see the flags' comments above.
    pipelinesBehindPendingAnswer: false,
    // Bun.serve's idleTimeout (adapters/bun/listen.ts) ends a connection whose headers stall, unanswered.
    slowHeaders: 'closed',
    closesAboveUnreadBodyBytes: undefined,
    // Measured on Bun 1.4.5: uWS refuses these before Bun.serve's fetch, with no body and no hook.
    answersItself: { malformed: 400, 'missing-host': 400, 'asterisk-form': 400, 'long-url': 431, 'long-headers': 431 },
    // Bun.serve takes no cap on connections and tells nothing of them (docs/reliability.md).
    capsConnections: false,
  },
  deno: {
    name: 'deno',
    // What `npm run start:deno` runs (a unit test holds the two together): the permissions users
    // grant, no more, come from deno.json's default permission set (-P).
    command: (port, settings) => ({ command: DENO, args: [...DENO_START_ARGS, ...toFlags(port, settings)] }),
    ...PROCESS_RUNTIME,
    // Measured on Deno 2.9.6: Deno.serve has no header or idle timeout, and no option for one.
    slowHeaders: 'kept',
    closesIdleConnections: false,
    closesAboveUnreadBodyBytes: undefined,
    closesAfterConnectionClose: false,
    // Measured on Deno 2.9.6: neither a 408 with `Connection: close`, nor cancelling the body's stream,
    // nor an answer whose body stream errors closes the connection (docs/reliability.md).
    closesSlowBodies: false,
    drainClosesHalfSentRequests: true,
    // Measured on Deno 2.9.6: the answer (503, or the 404 given before the drain) goes at once, then
    // the process waits for the client to finish its body or for --shutdown-timeout.
    drainWaitsForBodyInTransit: true,
    // Measured on Deno 2.9.6: a malformed request, or a request line or headers past its limit, get a 400, empty; Deno.serve has no hook.
    answersItself: { malformed: 400, 'long-url': 400, 'long-headers': 400 },
    // Deno.serve takes no cap on connections and tells nothing of them (docs/reliability.md).
    capsConnections: false,
  },
};

export function runtimeUnderTest(): RuntimeUnderTest {
  const name = process.env.CONTRACT_RUNTIME ?? 'node';
  const runtime = RUNTIMES[name];
  if (!runtime) throw new Error(`CONTRACT_RUNTIME=${name} is not in the matrix (${Object.keys(RUNTIMES).join(', ')})`);
  return runtime;
}
