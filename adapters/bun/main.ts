// The Bun entry: `npm run start:bun`, `bun adapters/bun/main.ts [options]`. One process serves by
// itself; `--workers N` makes this process a supervisor of N children that run this same file.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseServerConfig } from '../../src/serve/command-line.ts';
import { createLogger } from '../../src/logger.ts';
import { preciseNow } from '../../src/precise-now.js';
import { ONE_PROCESS } from '../../src/runtime.ts';
import { exitOnHelpOrError } from '../../src/cli.ts';
import { readSwaggerUiFiles } from '../swagger-ui/swagger-ui-files.ts';
import { serveProcess } from '../../src/serve/serve-process.ts';
import { ProcessSupervisor } from '../reuse-port/process-supervisor.ts';
import {
  isSupervisedChild,
  onSupervisorGone,
  reportChildReady,
  supervisedProcesses,
} from '../reuse-port/supervised-child.ts';
import { TinypoolThreadPool } from '../tinypool/tinypool-thread-pool.ts';
import { supervisorChannel } from '../ipc/scrape-channel.ts';
import { createBunRuntime } from './bun-runtime.ts';
import { listenBun } from './listen.ts';

const { config } = exitOnHelpOrError(
  parseServerConfig(process.argv.slice(2), process.env, availableParallelism()),
  process.exit,
);
const logger = createLogger({ format: config.log, now: preciseNow });
const supervised = isSupervisedChild(process.env);
const runtimeLabel = `bun ${Bun.version}`;

if (config.workers > 1 && !supervised) {
  await new ProcessSupervisor({
    config,
    logger,
    runtimeLabel,
    // process.execPath is the native bun binary even when started through npx or an npm script.
    command: process.execPath,
    // The same early signal hold as `npm run start:bun`: the supervisor may stop a child that is still loading.
    args: [
      '--preload',
      fileURLToPath(new URL('../preload/hold-signals.js', import.meta.url)),
      fileURLToPath(import.meta.url),
    ],
  }).start();
} else {
  // The same tinypool pool as on Node, given a task module Bun runs as TypeScript without a loader.
  const pool = new TinypoolThreadPool({
    taskModule: new URL('./pool-task.ts', import.meta.url),
    maxThreads: config.poolThreads,
    maxQueue: config.maxQueue,
  });
  const serving = await serveProcess({
    config,
    logger,
    runtime: createBunRuntime(pool, supervised ? supervisedProcesses(config.workers, config.balance) : ONE_PROCESS),
    // A child shares the public port only under --balance kernel; else it is behind the supervisor's balancer.
    listen: listenBun(config, supervised && config.balance === 'kernel'),
    host: process,
    runtimeLabel,
    docsAssets: readSwaggerUiFiles,
    ...(supervised ? { reportReady: reportChildReady, supervisor: supervisorChannel() } : {}),
  });
  if (supervised) onSupervisorGone((reason) => void serving.stop(reason));
}
