// The servers a runtime's figures compare: the app itself, the runtime's bare server (no framework)
// and a one-route Hono app, the last two answering GET / with the same JSON as the app. Keyed like
// the runtime matrix; a runtime without an entry gets no such ratio.
import { request } from '../harness/http-client.ts';
import { freePort } from '../harness/free-port.ts';
import { REPO_ROOT } from '../harness/repo-root.ts';
import type { RuntimeUnderTest, ServerSettings } from '../harness/runtimes.ts';
import { startServer, type ServerProcess } from '../harness/server-process.ts';
import { startRuntime } from '../harness/start-runtime.ts';

export type Variant = 'app' | 'bare' | 'hono';

export interface BenchServer {
  variant: Variant;
  url: string;
  process: ServerProcess;
  /**
   * Which processes of the started tree serve, by /proc comm; undefined = the started process
   * itself (node, bun, deno: no wrapper). wrangler is a Node wrapper: workerd serves.
   */
  serving: RegExp | undefined;
  /** What it is, for the table: `node:http`, `Bun.serve`, `one-route Hono on …`. */
  label: string;
}

/** workerd under wrangler dev: wrangler's node (and its esbuild) are wrappers, workerd serves. */
const SERVING: Record<string, RegExp> = { workerd: /^workerd$/ };

interface Command {
  command: string;
  args: string[];
  env?: Record<string, string>;
  label: string;
}

const DENO = 'node_modules/deno/deno';
const BUN = 'node_modules/.bin/bun';

/** The bare server and the one-route Hono app of each runtime, on `port`. */
const OTHERS: Record<
  string,
  Partial<Record<Exclude<Variant, 'app'>, (port: number, runtime: RuntimeUnderTest) => Command>>
> = {
  node: {
    bare: (port) => ({
      command: process.execPath,
      args: ['tools/bench/bare/node.mjs', String(port)],
      label: 'node:http',
    }),
    hono: (port) => ({
      command: process.execPath,
      args: ['tools/bench/bare/hono-node.mjs', String(port)],
      label: 'one-route Hono on @hono/node-server',
    }),
  },
  bun: {
    bare: (port) => ({ command: BUN, args: ['tools/bench/bare/bun.mjs', String(port)], label: 'Bun.serve' }),
    hono: (port) => ({
      command: BUN,
      args: ['tools/bench/bare/hono-bun.mjs', String(port)],
      label: 'one-route Hono on Bun.serve',
    }),
  },
  deno: {
    bare: (port) => ({
      command: DENO,
      args: ['run', '--allow-net=127.0.0.1', 'tools/bench/bare/deno.mjs', String(port)],
      label: 'Deno.serve',
    }),
    hono: (port) => ({
      command: DENO,
      args: ['run', '--allow-net=127.0.0.1', 'tools/bench/bare/hono-deno.mjs', String(port)],
      label: 'one-route Hono on Deno.serve',
    }),
  },
  workerd: {
    // The app's own wrangler command (headless, same flags), with another config and so another Worker.
    bare: (port, runtime) => ({
      ...wrangler(port, runtime, 'tools/bench/bare/wrangler-bare.toml'),
      label: 'a module Worker, no framework',
    }),
    hono: (port, runtime) => ({
      ...wrangler(port, runtime, 'tools/bench/bare/wrangler-hono.toml'),
      label: 'one-route Hono Worker',
    }),
  },
};

function wrangler(port: number, runtime: RuntimeUnderTest, config: string): Omit<Command, 'label'> {
  const { command, args, env } = runtime.command(port, { log: 'off' });
  return {
    command,
    args: [...args.filter((arg) => !arg.startsWith('--var=')), `--config=${config}`],
    ...(env ? { env } : {}),
  };
}

export function hasVariant(runtime: string, variant: Variant): boolean {
  return variant === 'app' || OTHERS[runtime]?.[variant] !== undefined;
}

/** True once GET / answers 200: the bare servers and Hono apps have no /health. */
async function answersRoot(url: string): Promise<boolean> {
  try {
    return (await request(`${url}/`)).status === 200;
  } catch {
    return false;
  }
}

export interface StartBenchServer {
  settings?: ServerSettings;
  /** Raise the server's open-file limit (see StartOptions.fdLimit). */
  fdLimit?: number;
}

/** Benchmark servers do not log: a log line a request would be what we measure. */
export async function startVariant(
  runtime: RuntimeUnderTest,
  variant: Variant,
  options: StartBenchServer = {},
): Promise<BenchServer | undefined> {
  const serving = SERVING[runtime.name];
  const fd = options.fdLimit ? { fdLimit: options.fdLimit } : {};
  if (variant === 'app') {
    const started = await startRuntime(runtime, { log: 'off', ...options.settings }, fd);
    return { variant, url: started.url, process: started.process, serving, label: `the app (${runtime.name})` };
  }
  const make = OTHERS[runtime.name]?.[variant];
  if (!make) return undefined;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { label, ...command } = make(port, runtime);
  const server = await startServer({
    ...command,
    cwd: REPO_ROOT,
    isReady: () => answersRoot(url),
    readyTimeoutMs: 60_000,
    ...fd,
  });
  return { variant, url, process: server, serving, label };
}
