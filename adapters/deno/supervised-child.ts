// The entry of one child of ProcessSupervisor: serves on the shared port (SO_REUSEPORT), tells the
// supervisor when it listens, and stops when the supervisor goes away.
import { createLogger } from '../../src/logger.ts';
import { parseServerConfig } from '../../src/server-config.ts';
import { preciseNow } from '../../src/work.js';
import { CHILD_LISTENING_LINE } from './process-supervisor.ts';
import { serveDeno } from './serve-deno.ts';

const parsed = parseServerConfig(Deno.args, Deno.env.toObject(), navigator.hardwareConcurrency);
if (parsed.kind !== 'config') {
  console.error(`error: ${parsed.kind === 'error' ? parsed.message : 'a supervised child takes no --help'}`);
  Deno.exit(2);
}
const { config } = parsed;

const server = serveDeno({
  config,
  logger: createLogger({ format: config.log, now: preciseNow }),
  processes: { count: config.workers, balancing: 'SO_REUSEPORT: the kernel hashes each connection to one of the processes' },
  reusePort: true,
  onListening: () => console.error(CHILD_LISTENING_LINE),
});

// EOF on stdin means the supervisor is gone (its end of the pipe closed, even if it was SIGKILLed).
const buffer = new Uint8Array(256);
while ((await Deno.stdin.read(buffer)) !== null) {
  // the supervisor never writes; anything read is ignored
}
await server.stop('supervisor gone (stdin closed)');
