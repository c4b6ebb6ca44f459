import { describe, expect, it } from 'vitest';
import { mergeFamilies, renderExposition, sumOf, type MetricFamily } from './exposition.ts';

const requests = (worker: string, count: number): MetricFamily => ({
  name: 'lab_http_requests_total',
  type: 'counter',
  help: 'Requests answered.',
  samples: [{ labels: { worker_id: worker, route: '/' }, value: count }],
});
const memory = (worker: string, bytes: number): MetricFamily => ({
  name: 'process_resident_memory_bytes',
  type: 'gauge',
  help: 'Resident memory size in bytes.',
  samples: [{ labels: { worker_id: worker }, value: bytes }],
});

describe('renderExposition', () => {
  it('writes HELP and TYPE once per family, then its samples, comments first', () => {
    expect(renderExposition([requests('1', 3), memory('1', 100)], ['collected by supervisor 9'])).toBe(
      [
        '# collected by supervisor 9',
        '# HELP lab_http_requests_total Requests answered.',
        '# TYPE lab_http_requests_total counter',
        'lab_http_requests_total{worker_id="1",route="/"} 3',
        '# HELP process_resident_memory_bytes Resident memory size in bytes.',
        '# TYPE process_resident_memory_bytes gauge',
        'process_resident_memory_bytes{worker_id="1"} 100',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and writes non-finite values as Prometheus spells them', () => {
    const family: MetricFamily = {
      name: 'x',
      type: 'gauge',
      help: 'a\\b\nc',
      samples: [
        { labels: { path: 'a"b\\c\nd' }, value: Infinity },
        { labels: {}, value: Number.NaN },
      ],
    };
    expect(renderExposition([family])).toBe(
      '# HELP x a\\\\b\\nc\n# TYPE x gauge\nx{path="a\\"b\\\\c\\nd"} +Inf\nx NaN\n',
    );
  });
});

describe('mergeFamilies', () => {
  it('keeps every family once with the samples of all groups together, in first-seen order', () => {
    const merged = mergeFamilies([
      [requests('1', 3), memory('1', 100)],
      [memory('2', 200), requests('2', 4)],
    ]);
    expect(merged.map((family) => family.name)).toEqual(['lab_http_requests_total', 'process_resident_memory_bytes']);
    expect(merged[0]!.samples.map((sample) => sample.labels.worker_id)).toEqual(['1', '2']);
    expect(merged[1]!.samples.map((sample) => sample.value)).toEqual([100, 200]);
    const text = renderExposition(merged);
    expect(text.match(/^# TYPE lab_http_requests_total /gm)).toHaveLength(1);
    expect(sumOf(merged, 'lab_http_requests_total')).toBe(7);
  });

  it('does not change the groups it merges', () => {
    const first = [requests('1', 3)];
    mergeFamilies([first, [requests('2', 4)]]);
    expect(first[0]!.samples).toHaveLength(1);
  });
});
