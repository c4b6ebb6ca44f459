// The Deno entry: `npm run start:deno`, or `deno run <permissions> adapters/deno/main.ts [options]`.
// One process serves by itself; `--workers N` makes this process a supervisor of N serving children.
import { createLogger } from '../../src/logger.ts';
import { parseServerConfig } from '../../src/server-config.ts';
import { preciseNow } from '../../src/work.js';
import { ProcessSupervisor } from './process-supervisor.ts';
import { serveDeno } from './serve-deno.ts';

const parsed = parseServerConfig(Deno.args, Deno.env.toObject(), navigator.hardwareConcurrency);
if (parsed.kind === 'help') {
  console.log(parsed.text);
  Deno.exit(0);
}
if (parsed.kind === 'error') {
  console.error(`error: ${parsed.message}`);
  Deno.exit(2);
}
const { config } = parsed;
const logger = createLogger({ format: config.log, now: preciseNow });

if (config.workers > 1) {
  new ProcessSupervisor(config, logger).start();
} else {
  serveDeno({
    config,
    logger,
    processes: { count: 1, balancing: 'one process' },
    reusePort: false,
    onListening: (url) =>
      logger.info('server_ready', `Concurrency Lab (deno ${Deno.version.deno}) listening on ${url}, mode ${config.mode}`, {
        worker_id: Deno.pid,
        url,
        processes: 1,
      }),
  });
}
