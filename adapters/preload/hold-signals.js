// Loaded before a server entry's own modules, by every process runtime: Node with `--import` (under
// tsx they take most of a second to load), Bun and Deno with `--preload` (a few hundred ms on a busy
// machine). A SIGINT or SIGTERM that comes meanwhile (a supervisor stopping a process it just started)
// is held here, and src/serve/early-signal.ts hands it to the lifecycle once it runs, instead of the
// runtime's default death by signal (exit 143, no log). Plain JavaScript on node:process's global,
// which all three provide: it loads before any loader.
const HELD = Symbol.for('concurrency-lab.held-signal');
const global = /** @type {Record<symbol, string | undefined>} */ (/** @type {unknown} */ (globalThis));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    global[HELD] ??= signal;
  });
}
