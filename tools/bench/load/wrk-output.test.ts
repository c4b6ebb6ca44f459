import { describe, expect, it } from 'vitest';
import { parseFixedCount, parseWrkOutput, parseWrkTime, WRK_FIXED_MARKER, WRK_JSON_MARKER } from './wrk-output.ts';

// wrk 4.1's own report with --latency, as printed on this machine (plus the error lines it adds when there are errors).
const TEXT = `Running 1m test @ http://127.0.0.1:4102/
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.75ms    3.02ms  82.88ms   94.25%
    Req/Sec    25.01k    13.00k   37.64k    75.00%
  Latency Distribution
     50%  812.00us
     75%    1.52ms
     90%    3.13ms
     99%    1.20s
  19950 requests in 1.00m, 4.45MB read
  Socket errors: connect 3, read 50, write 1, timeout 7
  Non-2xx or 3xx responses: 12
Requests/sec:    332.46
Transfer/sec:     75.97KB
`;

describe('parseWrkTime', () => {
  it('reads each of wrk units as ms', () => {
    expect(parseWrkTime('812.00us')).toBeCloseTo(0.812);
    expect(parseWrkTime('1.52ms')).toBeCloseTo(1.52);
    expect(parseWrkTime('1.20s')).toBeCloseTo(1200);
    expect(parseWrkTime('1.00m')).toBeCloseTo(60_000);
    expect(parseWrkTime(' 2.00h ')).toBeCloseTo(7_200_000);
  });
  it('is undefined for anything else', () => {
    expect(parseWrkTime('')).toBeUndefined();
    expect(parseWrkTime('12')).toBeUndefined();
    expect(parseWrkTime('1.2 ms')).toBeUndefined();
  });
});

describe('parseWrkOutput', () => {
  it('prefers the JSON line of our done(), latencies from µs to ms', () => {
    const json = `${WRK_JSON_MARKER}{"requests":1000,"duration_us":2000000,"connect":1,"read":2,"write":3,"status":4,"timeout":5,"p50_us":1500,"p90_us":2500,"p99_us":1200000,"max_us":1300000}`;
    const result = parseWrkOutput(`${TEXT}${json}\n`);
    expect(result).toEqual({
      requests: 1000,
      durationS: 2,
      requestsPerSecond: 500,
      p50Ms: 1.5,
      p90Ms: 2.5,
      p99Ms: 1200,
      maxMs: 1300,
      errors: { connect: 1, read: 2, write: 3, timeout: 5 },
      non2xx: 4,
      source: 'lua-json',
    });
  });

  it('has no latencies when no request completed, rather than 0 ms', () => {
    const json = `${WRK_JSON_MARKER}{"requests":0,"duration_us":8000000,"connect":10000,"read":0,"write":0,"status":0,"timeout":0,"p50_us":0,"p90_us":0,"p99_us":0,"max_us":0}`;
    const result = parseWrkOutput(json);
    expect(result.p99Ms).toBeUndefined();
    expect(result.requestsPerSecond).toBe(0);
    expect(result.errors.connect).toBe(10_000);
  });

  it('falls back to the text report when the JSON line is missing or broken', () => {
    for (const stdout of [TEXT, `${TEXT}${WRK_JSON_MARKER}{"requests":\n`]) {
      const result = parseWrkOutput(stdout);
      expect(result.source).toBe('text');
      expect(result.requests).toBe(19_950);
      expect(result.durationS).toBeCloseTo(60);
      expect(result.requestsPerSecond).toBeCloseTo(332.46);
      expect(result.p50Ms).toBeCloseTo(0.812);
      expect(result.p90Ms).toBeCloseTo(3.13);
      expect(result.p99Ms).toBeCloseTo(1200);
      expect(result.maxMs).toBeCloseTo(82.88);
      expect(result.errors).toEqual({ connect: 3, read: 50, write: 1, timeout: 7 });
      expect(result.non2xx).toBe(12);
    }
  });

  it('reads a text report without error lines as no errors', () => {
    const clean = TEXT.split('\n')
      .filter((line) => !/Socket errors|Non-2xx/.test(line))
      .join('\n');
    const result = parseWrkOutput(clean);
    expect(result.errors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 });
    expect(result.non2xx).toBe(0);
  });

  it('says what it got when there is nothing to read', () => {
    expect(() => parseWrkOutput('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(
      /cannot read wrk's output/,
    );
  });
});

describe('parseFixedCount', () => {
  it('takes the count and error statuses from the line, the rate from the wall time', () => {
    const result = parseFixedCount(
      `Running 5m test @ http://127.0.0.1:1/\n${WRK_FIXED_MARKER}{"requests":20000,"status":3}\n`,
      2,
    );
    expect(result.requests).toBe(20_000);
    expect(result.requestsPerSecond).toBe(10_000);
    expect(result.non2xx).toBe(3);
    expect(result.p99Ms).toBeUndefined();
  });

  it('fails when wrk ran out its time guard instead, saying how far it got', () => {
    expect(() => parseFixedCount(TEXT, 60)).toThrow(/ended before its last answer \(19950 answers/);
  });
});
