// The soak's terminal summary: one row a soak, then the errors by kind and why a soak failed.
import type { Paint } from '../lab/colour.ts';
import { table } from '../lab/render-terminal.ts';
import type { SoakResult } from './run-soak.ts';

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

export const SOAK_COLUMNS = [
  'runtime',
  'load',
  'clients',
  'requests',
  'req/s',
  'errors',
  '503',
  'RSS baseline → end',
  'growth',
  'slope',
  'result',
] as const;

export function soakRow(result: SoakResult): string[] {
  const { settings, tally, memory } = result;
  const measured = 'verdict' in memory ? memory.verdict : undefined;
  return [
    result.target,
    `${settings.warmupS} + ${settings.durationS} s`,
    String(settings.concurrency),
    String(tally.requests),
    String(Math.round(result.requestsPerS)),
    String(tally.errorCount),
    `${tally.overloaded}${result.overloadedIsError ? '' : ' (allowed)'}`,
    measured ? `${mib(measured.baselineBytes)} → ${mib(measured.endBytes)}` : 'not measured',
    measured
      ? `${measured.growthBytes >= 0 ? '+' : ''}${mib(measured.growthBytes)} (${Math.round(measured.growthRatio * 100)}%)`
      : '–',
    measured ? `${(measured.lateSlopeBytesPerS / 1024).toFixed(0)} KiB/s` : '–',
    result.failures.length ? 'FAIL' : 'pass',
  ];
}

export function renderSoakSummary(results: readonly SoakResult[], paint: Paint): string {
  const lines = [table([...SOAK_COLUMNS], results.map(soakRow), paint)];
  for (const result of results) {
    if ('skipped' in result.memory)
      lines.push(paint('yellow', `${result.target}: memory not measured: ${result.memory.skipped}`));
    else lines.push(`${result.target}: memory ${result.memory.verdict.reason}`);
    for (const failure of result.failures) lines.push(paint('red', `${result.target}: ${failure}`));
  }
  return lines.join('\n');
}
