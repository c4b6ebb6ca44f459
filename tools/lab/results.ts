// The raw data of a lab run, as written to report.json. Times are epoch milliseconds (client clock
// for sent/received, server clock for start/end: the lab only targets loopback, so they are one clock).
import type { Mode, Work } from '../../src/runtime.ts';

export interface RequestRecord {
  index: number;
  sentAt: number;
  receivedAt: number;
  status: number;
  /** When the server says the work ran; absent when the request failed. */
  startTime?: number;
  endTime?: number;
  workerId?: number | string;
  threadId?: number;
  /** A failed request's error body or network error, in words. */
  error?: string;
}

export interface HealthProbe {
  sentAt: number;
  latencyMs: number;
  ok: boolean;
  /** Still waiting when the run ended, and abandoned then: it waited at least latencyMs, no one knows how much longer. */
  cutOff?: boolean;
}

/** What the server said about itself in GET /info. */
export interface ServerShape {
  runtime: string;
  version: string;
  processes: number;
  poolThreads: number | null;
  modes: Mode[];
}

export interface CombinationRun {
  runtime: string;
  mode: Mode;
  work: Work;
  workers: number;
  n: number;
  ms: number;
  server: ServerShape;
  /** When the n requests were fired. */
  firedAt: number;
  requests: RequestRecord[];
  health: HealthProbe[];
}

/** A combination that did not run, and why (a missing runtime, a mode it lacks, a failed start). */
export interface CombinationSkipped {
  runtime: string;
  mode: Mode | 'all';
  reason: string;
}

export interface LabReport {
  createdAt: string;
  command: string;
  cpuCount: number;
  settings: { n: number; ms: number; work: Work; workers: number };
  runs: CombinationRun[];
  skipped: CombinationSkipped[];
}
