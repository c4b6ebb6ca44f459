// The Deno entry: `npm run start:deno`, or `deno run <permissions> adapters/deno/main.ts [options]`.
// One process serves by itself; `--workers N` makes this process a supervisor of N children that run
// this same file.
import { createLogger } from '../../src/logger.ts';
import { parseServerConfig } from '../../src/config.ts';
import { preciseNow } from '../../src/precise-now.js';
import { ProcessSupervisor } from '../reuse-port/process-supervisor.ts';
import { isSupervisedChild, onSupervisorGone, reportChildReady, reusePortProcesses } from '../reuse-port/supervised-child.ts';
import { netPermission, serveDeno } from './serve-deno.ts';
import { exitOnHelpOrError } from '../../src/cli.ts';
import { labReadyNote } from '../../src/lab-ui/lab-ready.ts';

/** The code a child's pool threads load: Web Workers need read permission for their modules. */
const SOURCE_DIRS = [new URL('.', import.meta.url), new URL('../../src/', import.meta.url)].map((url) => decodeURIComponent(url.pathname));

const { config } = exitOnHelpOrError(parseServerConfig(Deno.args, Deno.env.toObject(), navigator.hardwareConcurrency), Deno.exit);
const logger = createLogger({ format: config.log, now: preciseNow });

if (isSupervisedChild(Deno.env.toObject())) {
  const server = serveDeno({ config, logger, processes: reusePortProcesses(config.workers), reusePort: true, onListening: reportChildReady });
  onSupervisorGone((reason) => void server.stop(reason));
} else if (config.workers > 1) {
  if (Deno.permissions.querySync({ name: 'run', command: Deno.execPath() }).state !== 'granted') {
    console.error(`error: --workers needs permission to start Deno itself: add --allow-run=${Deno.execPath()}`);
    Deno.exit(2);
  }
  new ProcessSupervisor({
    config,
    logger,
    runtimeLabel: `deno ${Deno.version.deno}`,
    command: Deno.execPath(),
    args: [
      'run',
      '--no-prompt', // a child must fail, not wait on a prompt nobody sees
      '--unstable-net', // Deno.serve({ reusePort: true }) is unstable API on Deno 2.9
      '--unstable-no-legacy-abort', // as in package.json's start:deno: request.signal aborts only when the client goes away
      `--allow-net=${netPermission(config)}`, // this one address and port, nothing else
      '--allow-env',
      `--allow-read=${SOURCE_DIRS.join(',')}`,
      new URL(import.meta.url).href,
    ],
  }).start();
} else {
  serveDeno({
    config,
    logger,
    processes: { count: 1, balancing: 'one process' },
    reusePort: false,
    onListening: (url) => {
      const lab = labReadyNote(config, url);
      logger.info('server_ready', `Concurrency Lab (deno ${Deno.version.deno}) listening on ${url}, mode ${config.mode}${lab.text}`, {
        worker_id: Deno.pid,
        url,
        processes: 1,
        ...lab.fields,
      });
    },
  });
}
