// Number formats shared by the terminal and the HTML report.
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '–';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${Math.round(ratio * 100)}%` : '–';
}

export function formatPerWorker(perWorker: Record<string, number>): string {
  const counts = Object.values(perWorker);
  if (counts.length <= 1) return String(counts[0] ?? 0);
  return `${counts.length} workers: ${counts.join(' ')}`;
}

export function describeRun(run: {
  runtime: string;
  mode: string;
  n: number;
  ms: number;
  work: string;
  server: { processes: number; poolThreads: number | null };
}): string {
  const processes = `${run.server.processes} process${run.server.processes === 1 ? '' : 'es'}`;
  const threads =
    run.mode === 'pool' && run.server.poolThreads !== null ? `, pool of ${run.server.poolThreads} threads` : '';
  return `${run.runtime} · ${run.mode} · ${run.n} × ${run.ms} ms ${run.work} · ${processes}${threads}`;
}
