// The self-contained HTML report: inline CSS and SVG only, nothing fetched when it is viewed.
// Runtimes side by side (one column each), modes down the page, then the summary table.
// Markup is built with hono's `html` tag, which escapes every interpolated string; nested `html`
// results and `raw()` are trusted and inserted as they are.
import { html, raw } from 'hono/html';
import { describeRun, formatMs } from './format.ts';
import { SLOW_HEALTH_MS, SUMMARY_COLUMNS, summaryRow } from './render-terminal.ts';
import { probeWasSlow } from './probes.ts';
import type { CombinationRun, LabReport } from './results.ts';
import type { RunSummary } from './stats.ts';
import { layoutTimeline } from './timeline.ts';

const PALETTE = ['#0e7490', '#a21caf', '#b45309', '#15803d', '#1d4ed8', '#b91c1c'];
const SVG_WIDTH = 560;
const LABEL_WIDTH = 44;
const WHO_WIDTH = 110;
const ROW_HEIGHT = 14;
const AXIS_HEIGHT = 18;

/** What `html` returns: a Promise only when something interpolated into it is async. */
type Markup = ReturnType<typeof html>;

/** The finished markup as a plain string. Nothing here is async, so `html` has answered synchronously. */
function markupToString(markup: Markup): string {
  if (markup instanceof Promise) throw new Error('render-html: the report markup was unexpectedly async');
  // An HtmlEscapedString is a String object: toString() gives the primitive string.
  return markup.toString();
}

function timeline(run: CombinationRun): Markup {
  const timeline = layoutTimeline(run);
  const plot = SVG_WIDTH - LABEL_WIDTH - WHO_WIDTH;
  const x = (ms: number) => LABEL_WIDTH + (Math.max(0, ms) / timeline.spanMs) * plot;
  const colourOf = (id: number | string | undefined) =>
    PALETTE[Math.max(0, timeline.workers.indexOf(id ?? -1)) % PALETTE.length]!;
  const healthY = AXIS_HEIGHT + timeline.rows.length * ROW_HEIGHT + 4;
  const height = healthY + ROW_HEIGHT + 4;
  const ticks = timeline.ticks.map(
    (tick) =>
      html`<line class="tick" x1="${x(tick)}" x2="${x(tick)}" y1="${AXIS_HEIGHT - 4}" y2="${healthY + ROW_HEIGHT}"/><text class="axis" x="${x(tick)}" y="${AXIS_HEIGHT - 7}" text-anchor="middle">${tick}</text>`,
  );
  const rows = timeline.rows.map((row, i) => {
    const y = AXIS_HEIGHT + i * ROW_HEIGHT;
    const label = html`<text class="label" x="${LABEL_WIDTH - 4}" y="${y + 10}" text-anchor="end">#${row.index}</text>`;
    if (row.startMs === undefined || row.endMs === undefined) {
      return html`${label}<text class="failed" x="${LABEL_WIDTH + 2}" y="${y + 10}">failed: ${row.error ?? 'no answer'}</text>`;
    }
    const who = `worker ${row.workerId} thread ${row.threadId ?? 0}`;
    const colour = colourOf(row.workerId);
    return html`${label}<line class="wait" x1="${x(0)}" x2="${x(row.startMs)}" y1="${y + 6}" y2="${y + 6}"/><rect class="bar" x="${x(row.startMs)}" y="${y + 1}" width="${Math.max(1, x(row.endMs) - x(row.startMs))}" height="${ROW_HEIGHT - 3}" fill="${colour}"><title>#${row.index}: ${who}, work ${formatMs(row.startMs)} → ${formatMs(row.endMs)}, answered at ${formatMs(row.answeredMs)}</title></rect><text class="who" x="${LABEL_WIDTH + plot + 6}" y="${y + 10}" fill="${colour}">${`${row.workerId} t${row.threadId ?? 0}`}</text>`;
  });
  const probes = run.health.map((probe) => {
    const from = probe.sentAt - run.firedAt;
    const slow = probeWasSlow(probe);
    return html`<rect class="${slow ? 'probe slow' : 'probe'}" x="${x(from)}" y="${healthY + 2}" width="${Math.max(1, x(from + probe.latencyMs) - x(from))}" height="${ROW_HEIGHT - 5}"><title>/health sent at ${formatMs(from)}: ${probe.ok ? 'answered' : probe.cutOff ? 'cut off by the end of the run' : 'failed'} after ${formatMs(probe.latencyMs)}</title></rect>`;
  });
  return html`<svg class="timeline" data-runtime="${run.runtime}" data-mode="${run.mode}" role="img" aria-label="${describeRun(run)}" viewBox="0 0 ${SVG_WIDTH} ${height}" width="${SVG_WIDTH}" height="${height}" xmlns="http://www.w3.org/2000/svg">${ticks}<text class="axis" x="${LABEL_WIDTH - 4}" y="${AXIS_HEIGHT - 7}" text-anchor="end">ms</text>${rows}<text class="label" x="${LABEL_WIDTH - 4}" y="${healthY + 10}" text-anchor="end">/health</text>${probes}</svg>`;
}

/** One run's timeline as an inline SVG element. */
export function timelineSvg(run: CombinationRun): string {
  return markupToString(timeline(run));
}

const CSS = raw(`
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#111;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px} .meta{color:#555}
.grid{display:grid;grid-template-columns:repeat(var(--columns),minmax(280px,1fr));gap:16px;overflow-x:auto}
.cell{border:1px solid #ddd;border-radius:6px;padding:8px;min-width:0}
svg.timeline{width:100%;height:auto}
.cell h3{font-size:13px;margin:0 0 4px}
.cell.missing{color:#92400e;background:#fffbeb}
svg text{font:10px ui-monospace,monospace} .axis{fill:#666} .label{fill:#333} .tick{stroke:#eee}
.wait{stroke:#bbb;stroke-dasharray:2 3} .probe{fill:#16a34a} .probe.slow{fill:#dc2626} .failed{fill:#b91c1c}
table{border-collapse:collapse;font:13px ui-monospace,monospace} th,td{padding:3px 10px;border-bottom:1px solid #e5e5e5;text-align:right}
th{background:#f5f5f5} td:nth-child(-n+3),th:nth-child(-n+3){text-align:left}
.legend{color:#555;font-size:12px}
`);

export function renderHtml(report: LabReport, summaries: RunSummary[], jsonFileName = 'report.json'): string {
  // Columns for the runtimes that ran; one that ran nothing is only listed under "Not available".
  const runtimes = [...new Set(report.runs.map((r) => r.runtime))];
  const modes = [...new Set([...report.runs.map((r) => r.mode)])];
  const sections = modes.map((mode, i) => {
    const cells = runtimes.map((runtime) => {
      const run = report.runs.find((r) => r.runtime === runtime && r.mode === mode);
      if (run) return html`<div class="cell"><h3>${describeRun(run)}</h3>${timeline(run)}</div>`;
      const skipped = report.skipped.find((s) => s.runtime === runtime && (s.mode === mode || s.mode === 'all'));
      return html`<div class="cell missing"><h3>${runtime} · ${mode}</h3>not available${skipped ? html`: ${skipped.reason}` : ''}</div>`;
    });
    // Sections one a line, as Array#join('\n') would put them.
    return html`${i === 0 ? '' : '\n'}<h2>${mode}</h2><div class="grid" style="--columns:${runtimes.length}">${cells}</div>`;
  });
  const rows = report.runs.map(
    (run, i) => html`<tr>${summaryRow(run, summaries[i]!).map((cell) => html`<td>${cell}</td>`)}</tr>`,
  );
  const skipped = report.skipped.map((s) => html`<li>${`${s.runtime} ${s.mode}`}: not available: ${s.reason}</li>`);
  const { n, ms, work, workers } = report.settings;
  return markupToString(html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Concurrency Lab report</title><style>${CSS}</style></head>
<body>
<h1>Concurrency Lab</h1>
<p class="meta">${n} concurrent requests × ${ms} ms of ${work}, ${workers} process${workers === 1 ? '' : 'es'} a server · ${report.cpuCount} CPU cores · ${report.createdAt} · <code>${report.command}</code> · raw data: <a href="${jsonFileName}">${jsonFileName}</a></p>
<p class="legend">A row is a request, fired at 0 ms: dashes while it waited, a bar while its work ran (colour = worker process, label = worker pid and thread). The /health row shows probes sent every few ms: green answered within ${SLOW_HEALTH_MS} ms, red waited for the event loop (a probe the end of the run cut off sooner is green).</p>
${sections}
<h2>Summary</h2>
<table id="summary"><thead><tr>${SUMMARY_COLUMNS.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${rows}</tbody></table>
<p class="legend">ideal: n×ms blocking in one process, ms async, ⌈n/threads⌉×ms pool, ⌈n/processes⌉×ms with processes (CPU work: at most one request a core at once). efficiency = ideal ÷ makespan.</p>
${skipped.length ? html`<h2>Not available</h2><ul id="not-available">${skipped}</ul>` : ''}
</body></html>
`);
}
