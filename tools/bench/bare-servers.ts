// The baseline a runtime's hello throughput is compared with: the same runtime's own HTTP server,
// no framework. Keyed like the runtime matrix; a runtime without an entry gets no ratio.
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { freePort } from '../harness/free-port.ts';
import { REPO_ROOT } from '../harness/repo-root.ts';
import { answersHealth } from '../harness/start-runtime.ts';

export const BARE_SERVERS: Record<string, (port: number) => { command: string; args: string[] }> = {
  node: (port) => ({ command: process.execPath, args: ['tools/bench/bare/node.mjs', String(port)] }),
  bun: (port) => ({ command: 'node_modules/.bin/bun', args: ['tools/bench/bare/bun.mjs', String(port)] }),
  deno: (port) => ({ command: 'node_modules/.bin/deno', args: ['run', '--allow-net=127.0.0.1', 'tools/bench/bare/deno.mjs', String(port)] }),
};

export async function startBareServer(runtime: string): Promise<{ process: ServerProcess; url: string } | undefined> {
  const make = BARE_SERVERS[runtime];
  if (!make) return undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer({ ...make(port), cwd: REPO_ROOT, isReady: () => answersHealth(url) });
  return { process: server, url };
}
