// The Deno entry: `npm run start:deno`, or `deno run <permissions> adapters/deno/main.ts [options]`.
// One process serves by itself; `--workers N` makes this process a supervisor of N children that run
// this same file.
import { parseServerConfig } from '../../src/serve/command-line.ts';
import { createLogger } from '../../src/logger.ts';
import { preciseNow } from '../../src/precise-now.js';
import { ONE_PROCESS } from '../../src/runtime.ts';
import { exitOnHelpOrError } from '../../src/cli.ts';
import { EXIT_BAD_USAGE } from '../../src/serve/exit-codes.ts';
import type { HostProcess } from '../../src/serve/listener.ts';
import { readSwaggerUiFiles } from '../swagger-ui/swagger-ui-files.ts';
import { serveProcess } from '../../src/serve/serve-process.ts';
import { ProcessSupervisor } from '../reuse-port/process-supervisor.ts';
import {
  CHILD_PRIVATE_ADDRESS,
  isSupervisedChild,
  onSupervisorGone,
  reportChildReady,
  supervisedProcesses,
} from '../reuse-port/supervised-child.ts';
import { supervisorChannel } from '../ipc/scrape-channel.ts';
import { DenoBalancer } from './deno-balancer.ts';
import { createDenoRuntime } from './deno-runtime.ts';
import { DenoThreadPool } from './deno-thread-pool.ts';
import { listenNode } from '../node-http/listen.ts';
import { listenDeno, netPermission } from './listen.ts';
import { defaultMaxConnections } from './open-file-limit.ts';
import { warnIfSlowClientsHeld } from './slow-clients-warning.ts';

/** What a child reads: the code its pool threads load (Web Workers need read permission for their modules), and /docs's files. */
const SOURCE_DIRS = [
  new URL('.', import.meta.url),
  new URL('../../src/', import.meta.url),
  new URL('../thread-cpu/', import.meta.url),
  new URL('../../node_modules/swagger-ui-dist/', import.meta.url),
].map((url) => decodeURIComponent(url.pathname));

const { config } = exitOnHelpOrError(
  parseServerConfig(Deno.args, Deno.env.toObject(), navigator.hardwareConcurrency),
  Deno.exit,
);
const logger = createLogger({ format: config.log, now: preciseNow });
const supervised = isSupervisedChild(Deno.env.toObject());
const runtimeLabel = `deno ${Deno.version.deno}`;
const host: HostProcess = {
  pid: Deno.pid,
  on: (signal, handler) => Deno.addSignalListener(signal, handler),
  exit: Deno.exit,
};

// node:http on Deno has no shared port (SO_REUSEPORT) for --balance kernel's children. Behind the
// supervisor's balancer (least-busy, round-robin) each child listens on a loopback port of its own,
// which node:http can.
if (config.denoServer === 'node' && config.workers > 1 && config.balance === 'kernel') {
  console.error(
    'error: --deno-server node cannot share a port (--balance kernel); use --balance least-busy or round-robin, or --deno-server serve',
  );
  Deno.exit(EXIT_BAD_USAGE);
}

// Said once, by the process that owns the public address: Deno.serve there holds slow clients.
if (!supervised) warnIfSlowClientsHeld(config, logger, Deno.pid);

// --deno-server node's cap: `auto` becomes what the open-file limit leaves, read here, in the process
// that may run Deno; the supervisor hands its children the number (they may not, and share its limit).
// Deno.serve takes no cap.
const maxConnections =
  config.denoServer === 'node' && config.maxConnections === 0
    ? await defaultMaxConnections(config.poolThreads)
    : config.maxConnections || Infinity;

if (config.workers > 1 && !supervised) {
  if (Deno.permissions.querySync({ name: 'run', command: Deno.execPath() }).state !== 'granted') {
    console.error(`error: --workers needs permission to start Deno itself: add --allow-run=${Deno.execPath()}`);
    Deno.exit(EXIT_BAD_USAGE);
  }
  await new ProcessSupervisor({
    config: Number.isFinite(maxConnections) ? { ...config, maxConnections } : config,
    logger,
    runtimeLabel,
    command: Deno.execPath(),
    args: [
      'run',
      '--no-prompt', // a child must fail, not wait on a prompt nobody sees
      '--unstable-net', // Deno.serve({ reusePort: true }) is unstable API on Deno 2.9
      '--unstable-no-legacy-abort', // as in package.json's start:deno: request.signal aborts only when the client goes away
      // This one address and port under kernel; else loopback, where a child's private port is.
      `--allow-net=${config.balance === 'kernel' ? netPermission(config) : CHILD_PRIVATE_ADDRESS.host}`,
      '--allow-env',
      `--allow-read=${SOURCE_DIRS.join(',')}`,
      // The same early signal hold as `npm run start:deno`: the supervisor may stop a child that is still loading.
      '--preload',
      new URL('../preload/hold-signals.js', import.meta.url).href,
      new URL(import.meta.url).href,
    ],
    // Deno.listen, not node:net: Deno's node:net listener never accepts again after running out of open files.
    carrier: (mode, acceptErrors) => new DenoBalancer(mode, acceptErrors),
  }).start();
} else {
  const serving = await serveProcess({
    config,
    logger,
    runtime: createDenoRuntime(
      new DenoThreadPool({ maxThreads: config.poolThreads, maxQueue: config.maxQueue }),
      supervised ? supervisedProcesses(config.workers, config.balance) : ONE_PROCESS,
    ),
    // A child shares the public port only under --balance kernel; else it is behind the supervisor's balancer.
    // --deno-server node: Node's own listen on Deno's node:http, for its header, request and idle
    // timeouts and its connection cap (docs/runtimes.md#deno).
    listen:
      config.denoServer === 'node'
        ? listenNode(config, maxConnections)
        : listenDeno(config, supervised && config.balance === 'kernel'),
    host,
    runtimeLabel,
    docsAssets: readSwaggerUiFiles,
    ...(supervised ? { reportReady: reportChildReady, supervisor: supervisorChannel() } : {}),
  });
  if (supervised) onSupervisorGone((reason) => void serving.stop(reason));
}
