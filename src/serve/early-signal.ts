// The stop signal that came before the lifecycle could hear it: held by the preload that Node, Bun
// and Deno load before the entry (adapters/preload/hold-signals.js), undefined otherwise.

const HELD = Symbol.for('concurrency-lab.held-signal');

export function heldSignal(): 'SIGINT' | 'SIGTERM' | undefined {
  return (globalThis as Record<symbol, unknown>)[HELD] as 'SIGINT' | 'SIGTERM' | undefined;
}
