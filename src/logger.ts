// The FastAPI guide's log lines: one when a request arrives, when its work starts and ends, and when the
// response is sent, each with the worker id and thread id.
import { formatTimestamp } from './timestamp.ts';

export type LogFormat = 'pretty' | 'json' | 'off';
export const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json', 'off'];

export type LogLevel = 'info' | 'warn' | 'error';

/** Machine-readable name of what happened; tests and the lab wait on these. */
export type LogEvent =
  | 'server_ready'
  | 'server_stopping'
  | 'server_stopped'
  | 'request_received'
  | 'work_started'
  | 'work_ended'
  | 'work_cancelled'
  | 'response_sent'
  | 'worker_started'
  | 'worker_exited'
  | 'worker_start_timeout'
  | 'accept_failed'
  | 'slow_clients_held'
  | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  /** False when nothing would read a line (--log off): a caller then builds none (fields, message, timestamps). */
  readonly enabled: boolean;
  log(level: LogLevel, event: LogEvent, message: string, fields?: LogFields): void;
  info(event: LogEvent, message: string, fields?: LogFields): void;
  warn(event: LogEvent, message: string, fields?: LogFields): void;
  error(event: LogEvent, message: string, fields?: LogFields): void;
}

export interface LoggerOptions {
  format: LogFormat;
  now: () => number;
  /** Where a finished line goes; console.log by default, which every runtime has. */
  write?: (line: string) => void;
}

export function createLogger({ format, now, write = (line) => console.log(line) }: LoggerOptions): Logger {
  const log = (level: LogLevel, event: LogEvent, message: string, fields: LogFields = {}): void => {
    if (format === 'off') return;
    const time = formatTimestamp(now());
    if (format === 'json') {
      write(JSON.stringify({ time, level, event, message, ...fields }));
      return;
    }
    const who = fields.worker_id === undefined ? '' : ` [worker ${fields.worker_id} thread ${fields.thread_id ?? 0}]`;
    write(`${time} ${level.toUpperCase().padEnd(5)}${who} ${message}`);
  };
  return {
    enabled: format !== 'off',
    log,
    info: (event, message, fields) => log('info', event, message, fields),
    warn: (event, message, fields) => log('warn', event, message, fields),
    error: (event, message, fields) => log('error', event, message, fields),
  };
}
