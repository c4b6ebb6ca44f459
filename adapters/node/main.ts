// The Node entry: `npm start`, `node --import tsx adapters/node/main.ts [options]`.
import cluster from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createLogger } from '../../src/logger.ts';
import { parseServerConfig } from '../../src/config.ts';
import { preciseNow } from '../../src/precise-now.js';
import { ClusterSupervisor } from './cluster-supervisor.ts';
import { serveNode } from './serve-node.ts';
import { exitOnHelpOrError } from '../../src/cli.ts';

const { config } = exitOnHelpOrError(parseServerConfig(process.argv.slice(2), process.env, availableParallelism()), process.exit);
const logger = createLogger({ format: config.log, now: preciseNow });

if (config.workers > 1 && cluster.isPrimary) {
  new ClusterSupervisor(config, logger).start();
} else {
  const processes =
    config.workers > 1
      ? { count: config.workers, balancing: 'node:cluster round-robin: the primary accepts each connection and hands it to the next worker' }
      : { count: 1, balancing: 'one process' };
  serveNode(config, logger, processes, cluster.isPrimary);
}
