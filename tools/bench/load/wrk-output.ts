// Reading wrk's results: the JSON line our Lua done() prints, or else wrk's own text report
// (`--latency`). Pure functions, so that the parsing is tested without wrk.

export interface WrkResult {
  requests: number;
  durationS: number;
  requestsPerSecond: number;
  /** Latency percentiles in ms; undefined when wrk reported none. */
  p50Ms: number | undefined;
  p90Ms: number | undefined;
  p99Ms: number | undefined;
  maxMs: number | undefined;
  errors: { connect: number; read: number; write: number; timeout: number };
  /** Responses with a status above 399 (wrk counts 4xx and 5xx; 3xx is not an error to it). */
  non2xx: number;
  /** Which of wrk's outputs the figures came from. */
  source: 'lua-json' | 'text';
}

/** The prefix of the line our done() writes: one JSON object after it. */
export const WRK_JSON_MARKER = 'WRK_RESULT_JSON ';

/** A Lua done() that prints the summary as one JSON line (latencies in µs, as wrk keeps them). */
export const LUA_DONE = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '${WRK_JSON_MARKER}{"requests":%.0f,"duration_us":%.0f,"connect":%.0f,"read":%.0f,"write":%.0f,"status":%.0f,"timeout":%.0f,"p50_us":%.0f,"p90_us":%.0f,"p99_us":%.0f,"max_us":%.0f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`;

/** The prefix of the line a fixed-count run (wrk.ts) prints when its last answer is in, just before it exits. */
export const WRK_FIXED_MARKER = 'WRK_FIXED_JSON ';

/**
 * A fixed-count run's result: the count and error statuses from its line, the time from outside
 * (wrk exits before its own summary). Without the line, the run ended on its time guard instead:
 * that is an error, reported with what wrk did count.
 */
export function parseFixedCount(stdout: string, wallS: number): WrkResult {
  const line = stdout.split('\n').find((l) => l.startsWith(WRK_FIXED_MARKER));
  if (!line) {
    let seen = 'nothing';
    try {
      const summary = parseWrkOutput(stdout);
      seen = `${summary.requests} answers, errors ${JSON.stringify(summary.errors)}, ${summary.non2xx} error statuses`;
    } catch {
      // no summary either
    }
    throw new Error(
      `the fixed-count wrk run ended before its last answer (${seen}); output:\n${stdout.slice(0, 1000)}`,
    );
  }
  const raw = JSON.parse(line.slice(WRK_FIXED_MARKER.length)) as { requests: number; status: number };
  return {
    requests: raw.requests,
    durationS: wallS,
    requestsPerSecond: wallS > 0 ? raw.requests / wallS : 0,
    p50Ms: undefined,
    p90Ms: undefined,
    p99Ms: undefined,
    maxMs: undefined,
    errors: { connect: 0, read: 0, write: 0, timeout: 0 },
    non2xx: raw.status,
    source: 'lua-json',
  };
}

export function parseWrkOutput(stdout: string): WrkResult {
  return parseWrkJson(stdout) ?? parseWrkText(stdout);
}

function parseWrkJson(stdout: string): WrkResult | undefined {
  const line = stdout.split('\n').find((l) => l.startsWith(WRK_JSON_MARKER));
  if (!line) return undefined;
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(line.slice(WRK_JSON_MARKER.length)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const num = (key: string): number => {
    const value = raw[key];
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new Error(`wrk's JSON line has no number ${key}: ${line}`);
    return value;
  };
  const requests = num('requests');
  const durationS = num('duration_us') / 1e6;
  // No latency was recorded when no request completed: percentiles of nothing are not 0 ms.
  const latency = (key: string) => (requests > 0 ? num(key) / 1000 : undefined);
  return {
    requests,
    durationS,
    requestsPerSecond: durationS > 0 ? requests / durationS : 0,
    p50Ms: latency('p50_us'),
    p90Ms: latency('p90_us'),
    p99Ms: latency('p99_us'),
    maxMs: latency('max_us'),
    errors: { connect: num('connect'), read: num('read'), write: num('write'), timeout: num('timeout') },
    non2xx: num('status'),
    source: 'lua-json',
  };
}

const TIME_UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** wrk's time format: `812.00us`, `1.23ms`, `2.01s`, `1.50m`. */
export function parseWrkTime(text: string): number | undefined {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * TIME_UNITS_MS[match[2]!]!;
}

function parseWrkText(stdout: string): WrkResult {
  const total = /(\d+) requests in ([\d.]+(?:us|ms|s|m|h))/.exec(stdout);
  if (!total) throw new Error(`cannot read wrk's output (no "N requests in T" line):\n${stdout.slice(0, 2000)}`);
  const requests = Number(total[1]);
  const durationS = (parseWrkTime(total[2]!) ?? 0) / 1000;
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const percentile = (p: number): number | undefined => {
    const match = new RegExp(`^\\s*${p}(?:\\.0+)?%\\s+(\\S+)`, 'm').exec(stdout);
    return match ? parseWrkTime(match[1]!) : undefined;
  };
  const max = /^\s*Latency\s+\S+\s+\S+\s+(\S+)/m.exec(stdout);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  return {
    requests,
    durationS,
    requestsPerSecond: rate ? Number(rate[1]) : durationS > 0 ? requests / durationS : 0,
    p50Ms: percentile(50),
    p90Ms: percentile(90),
    p99Ms: percentile(99),
    maxMs: max ? parseWrkTime(max[1]!) : undefined,
    errors: socket
      ? { connect: Number(socket[1]), read: Number(socket[2]), write: Number(socket[3]), timeout: Number(socket[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    source: 'text',
  };
}
