// Metrics as data, and the Prometheus text exposition format (version 0.0.4) they are written in.
// Data first so that a supervisor can merge the series of several processes before writing them:
// the format allows one `# HELP` and one `# TYPE` line per metric family, with every sample of the
// family right after them, and no two samples with the same name and labels.

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
  samples: Sample[];
}

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * The families in the text format, each once, in the order given. `comments` come first as `# `
 * lines, which scrapers ignore: notes for a person reading the scrape.
 */
export function renderExposition(families: readonly MetricFamily[], comments: readonly string[] = []): string {
  const lines = comments.map((comment) => `# ${comment.replace(/\n/g, ' ')}`);
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
    for (const { labels, value } of family.samples)
      lines.push(`${family.name}${formatLabels(labels)} ${formatValue(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * One family per name, with the samples of every group that has it, in the order the names were
 * first seen. The first group's HELP and TYPE win. Callers keep sample labels unique across groups
 * (each process labels its own samples with its worker_id).
 */
export function mergeFamilies(groups: readonly (readonly MetricFamily[])[]): MetricFamily[] {
  const byName = new Map<string, MetricFamily>();
  for (const group of groups) {
    for (const family of group) {
      const merged = byName.get(family.name);
      if (merged) merged.samples.push(...family.samples);
      else byName.set(family.name, { ...family, samples: [...family.samples] });
    }
  }
  return [...byName.values()];
}

/** The sum of a family's samples (0 when it is absent or has none). */
export function sumOf(families: readonly MetricFamily[], name: string): number {
  return families.find((family) => family.name === name)?.samples.reduce((sum, sample) => sum + sample.value, 0) ?? 0;
}

export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return parts.length ? `{${parts.join(',')}}` : '';
}

function escapeHelp(help: string): string {
  return help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go's ParseFloat spellings, which Prometheus reads: +Inf, -Inf and NaN for the values JavaScript prints otherwise. */
function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
