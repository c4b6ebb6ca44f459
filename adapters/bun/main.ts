// The Bun entry: `npm run start:bun`, `bun adapters/bun/main.ts [options]`.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/logger.ts';
import { configToArgs, parseServerConfig } from '../../src/server-config.ts';
import { preciseNow } from '../../src/work.js';
import { ProcessSupervisor } from './process-supervisor.ts';
import { serveBun } from './serve-bun.ts';
import { isSupervisedChild } from './supervised-child.ts';

/**
 * Linux hashes each new connection's addresses and ports to one of the listening sockets: a random
 * spread, not a turn each. Measured here: 1000 GET / on new connections to `--workers 4`, five runs,
 * 224 to 286 per process (250 would be even), the busiest getting 1.09 to 1.28 times the least busy.
 */
const REUSEPORT_BALANCING =
  'SO_REUSEPORT: every process listens on the port and the Linux kernel picks one per new connection by hashing its addresses and ports. ' +
  'Not round-robin: 1000 new connections to 4 processes gave 224 to 286 each (even would be 250), and a keep-alive connection stays on its process, so a few long-lived clients can all land on one.';

const parsed = parseServerConfig(process.argv.slice(2), process.env, availableParallelism());
if (parsed.kind === 'help') {
  process.stdout.write(parsed.text);
  process.exit(0);
}
if (parsed.kind === 'error') {
  process.stderr.write(`error: ${parsed.message}\n`);
  process.exit(2);
}
const { config } = parsed;
if (config.workers > 1 && config.port === 0) {
  // With reusePort, port 0 would give every process a different random port.
  process.stderr.write('error: --workers above 1 needs a fixed --port, not 0: every process must bind the same port\n');
  process.exit(2);
}
const logger = createLogger({ format: config.log, now: preciseNow });
const supervised = isSupervisedChild(process.env);

if (config.workers > 1 && !supervised) {
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  new ProcessSupervisor({
    count: config.workers,
    // process.execPath is the native bun binary even when started through npx or an npm script.
    command: process.execPath,
    args: [fileURLToPath(import.meta.url), ...configToArgs(config), `--workers=${config.workers}`],
    logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    readyMessage: `Concurrency Lab (bun ${Bun.version}) listening on ${url} with ${config.workers} processes, mode ${config.mode}`,
    readyFields: { url },
  }).start();
} else {
  const processes = supervised ? { count: config.workers, balancing: REUSEPORT_BALANCING } : { count: 1, balancing: 'one process' };
  serveBun(config, logger, processes, supervised);
}
