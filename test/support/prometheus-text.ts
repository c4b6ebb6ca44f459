// Reads a GET /metrics answer as Prometheus would, and lists what breaks the text format's rules
// (version 0.0.4): one # HELP and one # TYPE per family, before its samples; every sample of a family
// together; no two samples with the same name and labels.

export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  samples: ParsedSample[];
  /** Comment lines other than HELP and TYPE, without their `# `. */
  comments: string[];
  /** Broken rules, in words; empty for a valid exposition. */
  problems: string[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): ParsedExposition {
  const samples: ParsedSample[] = [];
  const comments: string[] = [];
  const problems: string[] = [];
  const typed = new Set<string>();
  const helped = new Set<string>();
  const closed = new Set<string>();
  const series = new Set<string>();
  let current: string | undefined;
  const enter = (family: string): void => {
    if (current === family) return;
    if (current !== undefined) closed.add(current);
    if (closed.has(family)) problems.push(`${family}: its samples are not all together`);
    current = family;
  };
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
    if (meta) {
      const [, kind, family] = meta as unknown as [string, 'HELP' | 'TYPE', string];
      const seen = kind === 'HELP' ? helped : typed;
      if (seen.has(family)) problems.push(`${family}: a second # ${kind}`);
      seen.add(family);
      enter(family);
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line.replace(/^# ?/, ''));
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) {
      problems.push(`not a sample: ${line}`);
      continue;
    }
    const [, name, labelText = '', value] = match as unknown as [string, string, string | undefined, string];
    if (!typed.has(name)) problems.push(`${name}: a sample before its # TYPE`);
    enter(name);
    const labels = Object.fromEntries(
      [...labelText.matchAll(LABEL)].map(([, key, raw]) => [
        key!,
        raw!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1'),
      ]),
    );
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (series.has(key)) problems.push(`${line}: the same series twice`);
    series.add(key);
    samples.push({ name, labels, value: Number(value) });
  }
  return { samples, comments, problems };
}

/** The samples of one metric whose labels include `labels`. */
export function select(
  samples: readonly ParsedSample[],
  name: string,
  labels: Record<string, string> = {},
): ParsedSample[] {
  return samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([k, v]) => sample.labels[k] === v),
  );
}

export function total(samples: readonly ParsedSample[], name: string, labels: Record<string, string> = {}): number {
  return select(samples, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}
