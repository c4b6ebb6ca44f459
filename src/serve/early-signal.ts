// The stop signal that came before the lifecycle could hear it: held by a preload where the runtime
// has one (adapters/node/hold-signals.js), undefined otherwise.

const HELD = Symbol.for('concurrency-lab.held-signal');

export function heldSignal(): 'SIGINT' | 'SIGTERM' | undefined {
  return (globalThis as Record<symbol, unknown>)[HELD] as 'SIGINT' | 'SIGTERM' | undefined;
}
