// The lab's terminal output: a timeline a combination (one row a request) and one summary table.
import { WORKER_COLOURS, type Paint } from './colour.ts';
import { describeRun, formatMs, formatPerWorker, formatRatio } from './format.ts';
import type { CombinationRun, CombinationSkipped } from './results.ts';
import type { RunSummary } from './stats.ts';
import { barColumns, layoutTimeline } from './timeline.ts';
import { probeWasSlow, SLOW_HEALTH_MS } from './probes.ts';

export { SLOW_HEALTH_MS };

const AXIS_WIDTH = 60;

export function renderTimeline(run: CombinationRun, paint: Paint, width = AXIS_WIDTH): string {
  const timeline = layoutTimeline(run);
  const colourOf = (workerId: number | string | undefined) =>
    WORKER_COLOURS[Math.max(0, timeline.workers.indexOf(workerId ?? -1)) % WORKER_COLOURS.length]!;
  const label = (text: string) => text.padStart(8);
  const lines = [paint('bold', describeRun(run))];

  const axis = Array.from({ length: width + 8 }, () => ' ');
  for (const tick of timeline.ticks) {
    const text = `${tick}`;
    const column = Math.min(width - 1, Math.round((tick / timeline.spanMs) * width));
    text.split('').forEach((ch, i) => (axis[column + i] = ch));
  }
  lines.push(`${label('ms')} ${axis.join('').trimEnd()}`);

  for (const row of timeline.rows) {
    const cells = Array.from({ length: width }, () => ' ');
    let bar: string;
    if (row.startMs !== undefined && row.endMs !== undefined) {
      // The wait before the work started, then the work.
      const [from, to] = barColumns(row.startMs, row.endMs, timeline.spanMs, width);
      for (let c = 0; c < from; c++) cells[c] = '·';
      bar = `${cells.slice(0, from).join('')}${paint(colourOf(row.workerId), '█'.repeat(to - from))}${cells.slice(to).join('')}`;
    } else {
      bar = paint('red', `failed: ${row.error ?? 'no answer'}`.slice(0, width).padEnd(width));
    }
    const who =
      row.workerId === undefined
        ? ''
        : paint(colourOf(row.workerId), `worker ${row.workerId} thread ${row.threadId ?? 0}`);
    lines.push(`${label(`#${row.index}`)}▕${bar}▏ ${formatMs(row.answeredMs).padStart(7)}  ${who}`);
  }

  const health = Array.from({ length: width }, () => ' ');
  for (const probe of run.health) {
    const [from, to] = barColumns(
      probe.sentAt - run.firedAt,
      probe.sentAt - run.firedAt + probe.latencyMs,
      timeline.spanMs,
      width,
    );
    const mark = probeWasSlow(probe) ? '×' : probe.ok ? '·' : '-';
    // A slow probe wins a shared column: it is what the row is there to show.
    for (let c = from; c < to; c++) if (mark === '×' || health[c] === ' ') health[c] = mark;
  }
  const healthBar = health
    .map((ch) => (ch === '×' ? paint('red', ch) : ch === '-' ? paint('dim', ch) : paint('green', ch)))
    .join('');
  lines.push(`${label('/health')}▕${healthBar}▏ worst ${formatMs(Math.max(0, ...run.health.map((p) => p.latencyMs)))}`);
  lines.push(
    paint(
      'dim',
      `${' '.repeat(9)}█ work (colour = worker)  · waiting  /health: · answered < ${SLOW_HEALTH_MS} ms, × waited, - cut off by the end of the run`,
    ),
  );
  return lines.join('\n');
}

export const SUMMARY_COLUMNS = [
  'runtime',
  'mode',
  'work',
  'procs',
  'n × ms',
  'makespan',
  'ideal',
  'efficiency',
  'p50',
  'p99',
  'worst /health',
  'per worker',
  'errors',
] as const;

export function summaryRow(run: CombinationRun, summary: RunSummary): string[] {
  return [
    run.runtime,
    run.mode,
    run.work,
    String(run.server.processes),
    `${run.n} × ${run.ms}`,
    formatMs(summary.makespanMs),
    formatMs(summary.idealMs),
    formatRatio(summary.efficiency),
    formatMs(summary.p50Ms),
    formatMs(summary.p99Ms),
    formatMs(summary.worstHealthMs),
    formatPerWorker(summary.perWorker),
    String(summary.failed),
  ];
}

export function renderSummaryTable(
  rows: { run: CombinationRun; summary: RunSummary }[],
  skipped: CombinationSkipped[],
  paint: Paint,
): string {
  const body = rows.map(({ run, summary }) => summaryRow(run, summary));
  return [
    table([...SUMMARY_COLUMNS], body, paint),
    ...skipped.map((s) => paint('yellow', `${s.runtime} ${s.mode}: not available: ${s.reason}`)),
  ].join('\n');
}

/** A plain text table: columns padded to their widest cell, numbers right-aligned. */
export function table(header: string[], rows: string[][], paint: Paint): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (cell: string) => /^[\d.–]/.test(cell);
  const line = (cells: string[]) =>
    cells.map((cell, i) => (numeric(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ');
  return [paint('bold', line(header)), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
