// The Bun entry: `npm run start:bun`, `bun adapters/bun/main.ts [options]`. One process serves by
// itself; `--workers N` makes this process a supervisor of N children that run this same file.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../src/logger.ts';
import { parseServerConfig } from '../../src/config.ts';
import { preciseNow } from '../../src/precise-now.js';
import { ProcessSupervisor } from '../reuse-port/process-supervisor.ts';
import { isSupervisedChild } from '../reuse-port/supervised-child.ts';
import { serveBun } from './serve-bun.ts';
import { exitOnHelpOrError } from '../../src/cli.ts';

const { config } = exitOnHelpOrError(parseServerConfig(process.argv.slice(2), process.env, availableParallelism()), process.exit);
const logger = createLogger({ format: config.log, now: preciseNow });
const supervised = isSupervisedChild(process.env);

if (config.workers > 1 && !supervised) {
  new ProcessSupervisor({
    config,
    logger,
    runtimeLabel: `bun ${Bun.version}`,
    // process.execPath is the native bun binary even when started through npx or an npm script.
    command: process.execPath,
    args: [fileURLToPath(import.meta.url)],
  }).start();
} else {
  serveBun(config, logger, supervised);
}
