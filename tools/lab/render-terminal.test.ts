import { describe, expect, it } from 'vitest';
import { painter } from './colour.ts';
import { renderTimeline } from './render-terminal.ts';
import type { CombinationRun, HealthProbe } from './results.ts';

const firedAt = 10_000;

/** An async run of one 600 ms request, with the given /health probes. */
function runWith(health: HealthProbe[]): CombinationRun {
  return {
    runtime: 'node',
    mode: 'async',
    work: 'sleep',
    workers: 1,
    n: 1,
    ms: 600,
    server: { runtime: 'node', version: '1', processes: 1, poolThreads: null, modes: ['async'] },
    firedAt,
    requests: [
      {
        index: 0,
        sentAt: firedAt,
        receivedAt: firedAt + 600,
        status: 200,
        startTime: firedAt,
        endTime: firedAt + 600,
        workerId: 1,
      },
    ],
    health,
  };
}

const healthRow = (run: CombinationRun): string =>
  renderTimeline(run, painter(false), 60)
    .split('\n')
    .find((line) => line.trimStart().startsWith('/health'))!;

describe('renderTimeline /health row', () => {
  it('draws a probe the end of the run cut off apart from one that waited on a blocked loop', () => {
    const answered: HealthProbe = { sentAt: firedAt, latencyMs: 20, ok: true };
    // Sent 5 ms before the run ended, and abandoned then: it says nothing about the loop.
    const cutOff: HealthProbe = { sentAt: firedAt + 595, latencyMs: 5, ok: false, cutOff: true };
    const row = healthRow(runWith([answered, cutOff]));
    expect(row).toContain('-');
    expect(row).not.toContain('×');

    // Held for 300 ms by a busy loop before the run ended: that is a wait, whatever ended it.
    const heldThenCut: HealthProbe = { sentAt: firedAt + 300, latencyMs: 300, ok: false, cutOff: true };
    expect(healthRow(runWith([answered, heldThenCut]))).toContain('×');
    // A probe that failed on its own (not cut off) counts as a wait too.
    expect(healthRow(runWith([answered, { sentAt: firedAt + 595, latencyMs: 5, ok: false }]))).toContain('×');
  });
});
