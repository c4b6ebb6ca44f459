// The Node entry: `npm start`, `node --import tsx adapters/node/main.ts [options]`. One process
// serves by itself; `--workers N` makes this process a node:cluster primary of N workers.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { parseServerConfig } from '../../src/serve/command-line.ts';
import { createLogger } from '../../src/logger.ts';
import { preciseNow } from '../../src/precise-now.js';
import { ONE_PROCESS } from '../../src/runtime.ts';
import { exitOnHelpOrError } from '../../src/cli.ts';
import { readSwaggerUiFiles } from '../swagger-ui/swagger-ui-files.ts';
import { serveProcess } from '../../src/serve/serve-process.ts';
import { TinypoolThreadPool } from '../tinypool/tinypool-thread-pool.ts';
import { supervisorChannel } from '../ipc/scrape-channel.ts';
import {
  ClusterSupervisor,
  clusterProcesses,
  reportWorkerListening,
  WORKER_PRIVATE_ADDRESS,
} from './cluster-supervisor.ts';
import { listenNode } from '../node-http/listen.ts';
import { defaultMaxConnections } from '../open-files/open-file-limit.ts';
import { createNodeRuntime } from './node-runtime.ts';

const { config } = exitOnHelpOrError(
  parseServerConfig(process.argv.slice(2), process.env, availableParallelism()),
  process.exit,
);
const logger = createLogger({ format: config.log, now: preciseNow });

if (config.workers > 1 && cluster.isPrimary) {
  await new ClusterSupervisor(config, logger).start();
} else {
  const pool = new TinypoolThreadPool({
    taskModule: new URL('./pool-task.js', import.meta.url),
    maxThreads: config.poolThreads,
    maxQueue: config.maxQueue,
  });
  const maxConnections = config.maxConnections || defaultMaxConnections(config.poolThreads);
  await serveProcess({
    config,
    logger,
    runtime: createNodeRuntime(
      pool,
      cluster.isPrimary ? ONE_PROCESS : clusterProcesses(config.workers, config.balance),
    ),
    // Under least-busy a worker listens on a loopback port of its own, which the primary's balancer
    // connects to; otherwise on the shared port, handed out by node:cluster.
    listen:
      !cluster.isPrimary && config.balance === 'least-busy'
        ? listenNode({ ...WORKER_PRIVATE_ADDRESS, requestTimeoutMs: config.requestTimeoutMs }, maxConnections, true)
        : listenNode(config, maxConnections),
    host: process,
    runtimeLabel: `node ${process.versions.node}`,
    docsAssets: readSwaggerUiFiles,
    // A cluster worker leaves the announcement to its primary, which waits for all of them, and
    // answers scrapes for all of them through it.
    ...(cluster.isPrimary ? {} : { reportReady: reportWorkerListening, supervisor: supervisorChannel() }),
  });
}
