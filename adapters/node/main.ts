// The Node entry: `npm start`, `node --import tsx adapters/node/main.ts [options]`. One process
// serves by itself; `--workers N` makes this process a node:cluster primary of N workers.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseServerConfig } from '../../src/serve/command-line.ts';
import { createLogger } from '../../src/logger.ts';
import { preciseNow } from '../../src/precise-now.js';
import { ONE_PROCESS } from '../../src/runtime.ts';
import { exitOnHelpOrError } from '../../src/cli.ts';
import { serveProcess } from '../../src/serve/serve-process.ts';
import { TinypoolThreadPool } from '../tinypool/tinypool-thread-pool.ts';
import { supervisorChannel } from '../ipc/scrape-channel.ts';
import { ClusterSupervisor, CLUSTER_PROCESSES } from './cluster-supervisor.ts';
import { listenNode } from './listen.ts';
import { defaultMaxConnections } from './open-file-limit.ts';
import { createNodeRuntime } from './node-runtime.ts';

const { config } = exitOnHelpOrError(
  parseServerConfig(process.argv.slice(2), process.env, availableParallelism()),
  process.exit,
);
const logger = createLogger({ format: config.log, now: preciseNow });

if (config.workers > 1 && cluster.isPrimary) {
  new ClusterSupervisor(config, logger).start();
} else {
  const pool = new TinypoolThreadPool({
    taskModule: new URL('./pool-task.js', import.meta.url),
    maxThreads: config.poolThreads,
    maxQueue: config.maxQueue,
  });
  await serveProcess({
    config,
    logger,
    runtime: createNodeRuntime(pool, cluster.isPrimary ? ONE_PROCESS : CLUSTER_PROCESSES(config.workers)),
    listen: listenNode(config, config.maxConnections || defaultMaxConnections(config.poolThreads)),
    host: process,
    runtimeLabel: `node ${process.versions.node}`,
    // A cluster worker leaves the announcement to its primary, which waits for all of them, and
    // answers scrapes for all of them through it.
    ...(cluster.isPrimary ? {} : { reportReady: () => {}, supervisor: supervisorChannel() }),
  });
}
