import { describe, expect, it } from 'vitest';
import { renderHtml, timelineSvg } from './render-html.ts';
import type { CombinationRun, LabReport } from './results.ts';
import { summarise } from './stats.ts';

const HOSTILE = `<script>alert("x" + 'y')</script>`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot; + &#39;y&#39;)&lt;/script&gt;';

const firedAt = 5_000;
function run(runtime: string): CombinationRun {
  return {
    runtime,
    mode: 'blocking',
    work: 'sleep',
    workers: 1,
    n: 2,
    ms: 100,
    server: { runtime, version: '1', processes: 1, poolThreads: null, modes: ['blocking'] },
    firedAt,
    requests: [
      {
        index: 0,
        sentAt: firedAt,
        receivedAt: firedAt + 105,
        status: 200,
        startTime: firedAt + 2,
        endTime: firedAt + 102,
        workerId: 7,
        threadId: 0,
      },
      { index: 1, sentAt: firedAt, receivedAt: firedAt + 30, status: 500, error: HOSTILE },
    ],
    health: [{ sentAt: firedAt + 5, latencyMs: 3, ok: true }],
  };
}

function reportWith(runs: CombinationRun[], skipped: LabReport['skipped'] = []): LabReport {
  return {
    createdAt: '2025-01-01T00:00:00.000Z',
    command: 'npm run lab',
    cpuCount: 4,
    settings: { n: 2, ms: 100, work: 'sleep', workers: 1 },
    runs,
    skipped,
  };
}

function render(report: LabReport): string {
  return renderHtml(
    report,
    report.runs.map((r) => summarise(r, report.cpuCount)),
  );
}

describe('renderHtml', () => {
  it('returns a plain string, not a promise or String object', () => {
    const out = render(reportWith([run('node')]));
    expect(typeof out).toBe('string');
    expect(out.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(out).toContain('<svg class="timeline" data-runtime="node" data-mode="blocking"');
  });

  it('escapes an error message with <script> and quotes', () => {
    const out = render(reportWith([run('node')]));
    expect(out).not.toContain(HOSTILE);
    expect(out).not.toContain('<script');
    expect(out).toContain(`<text class="failed" x="46" y="42">failed: ${ESCAPED}</text>`);
  });

  it('escapes a runtime name with <script> and quotes, in text and in attributes', () => {
    const out = render(reportWith([run(HOSTILE)], [{ runtime: HOSTILE, mode: 'all', reason: `missing "${HOSTILE}"` }]));
    expect(out).not.toContain('<script');
    expect(out).toContain(`data-runtime="${ESCAPED}"`);
    expect(out).toContain(`aria-label="${ESCAPED} · blocking · 2 × 100 ms sleep · 1 process"`);
    expect(out).toContain(`<h3>${ESCAPED} · blocking · 2 × 100 ms sleep · 1 process</h3>`);
    expect(out).toContain(`<tr><td>${ESCAPED}</td><td>blocking</td>`);
    expect(out).toContain(`<li>${ESCAPED} all: not available: missing &quot;${ESCAPED}&quot;</li>`);
  });

  it('escapes the reason of a runtime that is not available in a mode', () => {
    const hostileMode: CombinationRun = { ...run('bun'), mode: 'async' };
    const out = render(reportWith([run('node'), hostileMode], [{ runtime: 'node', mode: 'async', reason: HOSTILE }]));
    expect(out).toContain(`<div class="cell missing"><h3>node · async</h3>not available: ${ESCAPED}</div>`);
  });

  it('keeps the markup it builds itself unescaped', () => {
    const out = render(reportWith([run('node')], [{ runtime: 'deno', mode: 'all', reason: 'not installed' }]));
    expect(out).toContain('<style>\nbody{');
    expect(out).toContain('<div class="grid" style="--columns:1"><div class="cell"><h3>node · blocking');
    expect(out).toContain(
      '<h2>Not available</h2><ul id="not-available"><li>deno all: not available: not installed</li></ul>',
    );
    expect(out).toContain('<table id="summary"><thead><tr><th>runtime</th><th>mode</th>');
  });
});

describe('timelineSvg', () => {
  it('is a string holding one svg element with a bar per answered request and a failed row', () => {
    const svg = timelineSvg(run('node'));
    expect(typeof svg).toBe('string');
    expect(svg).toMatch(/^<svg class="timeline"[^>]*>.*<\/svg>$/s);
    expect(svg.match(/<rect class="bar"/g)).toHaveLength(1);
    expect(svg.match(/<rect class="probe"/g)).toHaveLength(1);
    expect(svg).toContain(`failed: ${ESCAPED}`);
  });
});
