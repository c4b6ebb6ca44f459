// The server's configuration from flags and environment (PORT, HOST and LAB_*: vitest and vite
// claim plain MODE, so the lab's own variables carry a prefix), shared by every runtime that runs as a
// process (Node, Bun, Deno), and by Workers for its [vars]. Pure JavaScript, no runtime module (Workers
// has no node:util): the adapter passes flags, env and the CPU count in.
import { wholeNumber } from './whole-number.ts';
import { LOG_FORMATS, type LogFormat } from './logger.ts';
import { MODES, type Mode } from './runtime.ts';
import { BALANCE_MODES, type BalanceMode } from './serve/balance.ts';
import { CONNECTION_TIMEOUTS } from './serve/connections.ts';

export interface ServerConfig {
  port: number;
  host: string;
  mode: Mode;
  /** Processes serving the port; 1 means no supervisor. */
  workers: number;
  /** With --workers above 1: who picks the process for a new connection (./serve/balance.ts). */
  balance: BalanceMode;
  /** Most pool threads; the pool grows to it on demand and shrinks when idle. */
  poolThreads: number;
  /** Most pool tasks waiting for a thread; past it, 503 `overloaded`. */
  maxQueue: number;
  maxDelayMs: number;
  /** How long a graceful shutdown waits for in-flight requests before closing them. */
  shutdownTimeoutMs: number;
  /** With --workers: how long a process may take to listen before the supervisor kills and replaces it. */
  startupTimeoutMs: number;
  /**
   * How long a request may take to arrive whole, body included, on every process runtime: past it,
   * 408 and the connection closes (docs/reliability.md#slow-and-idle-clients).
   */
  requestTimeoutMs: number;
  /** Above this event-loop lag (ms) work routes answer 503 at once; 0 turns shedding off. */
  maxEventLoopDelayMs: number;
  log: LogFormat;
  /** Whether GET /lab (the live lab page) and /lab/* are served. */
  labUi: boolean;
  /** Whether GET /docs (Swagger UI over /openapi.json) and /docs/* are served. */
  docsUi: boolean;
  /**
   * Most client connections this process holds; past it a new one is closed at once. 0 = derived by
   * the runtime adapter from the open-file limit (docs/reliability.md#connection-floods).
   */
  maxConnections: number;
  /** Deno only: which server takes connections (docs/runtimes.md#deno). Ignored elsewhere. */
  denoServer: DenoServer;
}

/** `serve`: Deno.serve, the fastest, without connection timeouts. `node`: Deno's node:http, with Node's timeouts and cap. */
export const DENO_SERVERS = ['serve', 'node'] as const;
export type DenoServer = (typeof DENO_SERVERS)[number];

/**
 * Like AnyIO's default thread limiter (40), which FastAPI's run_in_threadpool uses: the FastAPI guide's
 * threadpool demo, 10 concurrent 1 s sleeps, then finishes in about 1 s.
 */
export const DEFAULT_POOL_THREADS = 40;

export interface Option {
  flag: string;
  env: string;
  value: string;
  help: string;
  default: string;
}

export const OPTIONS: Option[] = [
  { flag: 'port', env: 'PORT', value: 'N', default: '3000', help: 'TCP port to listen on (0 to 65535)' },
  {
    flag: 'host',
    env: 'HOST',
    value: 'ADDR',
    default: '127.0.0.1',
    help: 'address to listen on; 0.0.0.0 for every interface',
  },
  {
    flag: 'mode',
    env: 'LAB_MODE',
    value: 'MODE',
    default: 'async',
    help: `default mode of POST /delay: ${MODES.join(' | ')}`,
  },
  {
    flag: 'workers',
    env: 'LAB_WORKERS',
    value: 'N|auto',
    default: '1',
    help: 'processes serving the port; auto = one per CPU',
  },
  {
    flag: 'balance',
    env: 'LAB_BALANCE',
    value: 'WAY',
    default: 'least-busy',
    help: `with --workers: who picks the process for a new connection: ${BALANCE_MODES.join(' | ')}`,
  },
  {
    flag: 'pool-threads',
    env: 'LAB_POOL_THREADS',
    value: 'N',
    default: String(DEFAULT_POOL_THREADS),
    help: 'most threads in the pool (grown on demand, shrunk when idle)',
  },
  {
    flag: 'max-queue',
    env: 'LAB_MAX_QUEUE',
    value: 'N',
    default: '100',
    help: 'most pool tasks waiting for a thread; beyond it, 503 overloaded',
  },
  {
    flag: 'max-delay-ms',
    env: 'LAB_MAX_DELAY_MS',
    value: 'MS',
    default: '60000',
    help: 'largest ms a request may ask for',
  },
  {
    flag: 'shutdown-timeout',
    env: 'LAB_SHUTDOWN_TIMEOUT',
    value: 'MS',
    default: '10000',
    help: 'on SIGINT/SIGTERM, how long in-flight requests may take to finish',
  },
  {
    flag: 'startup-timeout',
    env: 'LAB_STARTUP_TIMEOUT',
    value: 'MS',
    default: '60000',
    help: 'with --workers: a process not listening after this long is killed and replaced',
  },
  {
    flag: 'request-timeout',
    env: 'LAB_REQUEST_TIMEOUT',
    value: 'MS',
    default: String(CONNECTION_TIMEOUTS.requestMs),
    help: 'a request whose body has not arrived whole after this long gets 408 and its connection closes',
  },
  {
    flag: 'max-event-loop-delay',
    env: 'LAB_MAX_EVENT_LOOP_DELAY',
    value: 'MS',
    default: '0',
    help: 'answer 503 to work while the event loop lags more than this; 0 = off',
  },
  {
    flag: 'max-connections',
    env: 'LAB_MAX_CONNECTIONS',
    value: 'N|auto',
    default: 'auto',
    help: 'most connections a process holds, past it new ones are closed; auto = what the open-file limit leaves',
  },
  {
    flag: 'deno-server',
    env: 'LAB_DENO_SERVER',
    value: 'WAY',
    default: 'serve',
    help: `Deno only: ${DENO_SERVERS.join(' | ')}; node closes silent and slow connections (Node's timeouts) at a cost in CPU a request`,
  },
  { flag: 'log', env: 'LAB_LOG', value: 'FORMAT', default: 'pretty', help: `log format: ${LOG_FORMATS.join(' | ')}` },
  { flag: 'lab', env: 'LAB_UI', value: 'on|off', default: 'on', help: 'the live lab page at GET /lab (and /lab/*)' },
  {
    flag: 'docs',
    env: 'LAB_DOCS',
    value: 'on|off',
    default: 'on',
    help: 'the API docs page at GET /docs (Swagger UI); /openapi.json is always served',
  },
];

export type ConfigResult =
  { kind: 'config'; config: ServerConfig } | { kind: 'help'; text: string } | { kind: 'error'; message: string };

/**
 * The configuration from flags already split out of argv (by ./serve/command-line.ts on a process
 * runtime; none on Workers), then the environment, then defaults. Never throws.
 */
export function resolveServerConfig(
  given: Record<string, unknown>,
  env: Record<string, string | undefined>,
  cpuCount: number,
): ConfigResult {
  const raw = (flag: string): { value: string; source: string } => {
    const option = OPTIONS.find((o) => o.flag === flag)!;
    const fromFlag = given[flag];
    if (typeof fromFlag === 'string') return { value: fromFlag, source: `--${flag}` };
    const fromEnv = env[option.env];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: `${option.env} (environment)` };
    return { value: option.default, source: `--${flag}` };
  };
  // The first bad value is the one reported; checking goes on with a placeholder.
  const problems: string[] = [];
  /** `orElse`: what else the setting takes, said in the message when the number is refused. */
  const integer = (flag: string, min: number, max: number, orElse = ''): number => {
    const { value, source } = raw(flag);
    const parsed = wholeNumber(source, value, [min, max]);
    if (typeof parsed === 'number') return parsed;
    problems.push(`${parsed}${orElse}`);
    return min;
  };
  const oneOf = <T extends string>(flag: string, allowed: readonly T[]): T => {
    const { value, source } = raw(flag);
    if (!(allowed as readonly string[]).includes(value))
      problems.push(`${source} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
    return value as T;
  };

  const config: ServerConfig = {
    port: integer('port', 0, 65535),
    host: raw('host').value,
    mode: oneOf('mode', MODES),
    workers:
      raw('workers').value === 'auto'
        ? Math.max(1, cpuCount)
        : integer('workers', 1, 256, `; or auto, one process per CPU (${cpuCount} here)`),
    balance: oneOf('balance', BALANCE_MODES),
    poolThreads: integer('pool-threads', 1, 1024),
    maxQueue: integer('max-queue', 0, 1_000_000),
    maxDelayMs: integer('max-delay-ms', 0, 3_600_000),
    shutdownTimeoutMs: integer('shutdown-timeout', 0, 3_600_000),
    startupTimeoutMs: integer('startup-timeout', 1, 3_600_000),
    requestTimeoutMs: integer('request-timeout', 1, 3_600_000),
    maxEventLoopDelayMs: integer('max-event-loop-delay', 0, 3_600_000),
    log: oneOf('log', LOG_FORMATS),
    labUi: oneOf('lab', ['on', 'off'] as const) === 'on',
    docsUi: oneOf('docs', ['on', 'off'] as const) === 'on',
    maxConnections: raw('max-connections').value === 'auto' ? 0 : integer('max-connections', 1, 10_000_000),
    denoServer: oneOf('deno-server', DENO_SERVERS),
  };
  if (config.host.trim() === '') problems.push('--host must not be empty');
  return problems[0] === undefined ? { kind: 'config', config } : { kind: 'error', message: problems[0] };
}

/** Flags for a child process that must run with the same configuration as a single server. */
export function configToArgs(config: ServerConfig): string[] {
  return [
    `--port=${config.port}`,
    `--host=${config.host}`,
    `--mode=${config.mode}`,
    `--balance=${config.balance}`,
    `--pool-threads=${config.poolThreads}`,
    `--max-queue=${config.maxQueue}`,
    `--max-delay-ms=${config.maxDelayMs}`,
    `--shutdown-timeout=${config.shutdownTimeoutMs}`,
    `--request-timeout=${config.requestTimeoutMs}`,
    `--max-event-loop-delay=${config.maxEventLoopDelayMs}`,
    `--log=${config.log}`,
    `--lab=${config.labUi ? 'on' : 'off'}`,
    `--docs=${config.docsUi ? 'on' : 'off'}`,
    `--max-connections=${config.maxConnections === 0 ? 'auto' : config.maxConnections}`,
    `--deno-server=${config.denoServer}`,
  ];
}

export function helpText(): string {
  const rows = OPTIONS.map(
    (o) => `  --${`${o.flag} ${o.value}`.padEnd(24)} ${o.help} [${o.env}, default ${o.default}]`,
  );
  return [
    'Usage: <start command> [options]',
    '',
    'Options (each also read from the environment variable in brackets):',
    ...rows,
    '  --help                     this text',
    '',
  ].join('\n');
}
