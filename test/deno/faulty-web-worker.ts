// A pool thread for tests on Deno: `work` names the fault to inject.
/// <reference lib="deno.worker" />
self.onmessage = ({ data }: MessageEvent<{ ms: number; work: string }>) => {
  if (data.work === 'throw') throw new Error('task failed at /secret/path.ts:1:1');
  if (data.work === 'close') return self.close(); // ends the worker without any event
  const startedAt = Date.now();
  self.postMessage({ startedAt, endedAt: startedAt + data.ms });
};
