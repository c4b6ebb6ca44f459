// Loaded with `--import` before the Node entry's own modules, which under tsx take most of a second
// to load: a SIGINT or SIGTERM that comes meanwhile (a supervisor stopping a process it just started)
// is held here, and src/serve/early-signal.ts hands it to the lifecycle once it runs, instead of
// Node's default death by signal (exit 143, no log). Plain JavaScript: it loads before any loader.
const HELD = Symbol.for('concurrency-lab.held-signal');
const global = /** @type {Record<symbol, string | undefined>} */ (/** @type {unknown} */ (globalThis));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    global[HELD] ??= signal;
  });
}
