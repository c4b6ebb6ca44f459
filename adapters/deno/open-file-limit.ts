// `--max-connections auto` under `--deno-server node`: what the open-file limit leaves, as on Node
// (../open-files/open-file-limit.ts). Deno has no getrlimit(), and its permissions refuse every path
// under /proc/<pid>, /proc/self and /dev/fd to anything short of --allow-all, whatever --allow-read
// names (checked on Deno 2.9.6: "Requires all access to /proc/self/limits"). So the process asks a
// short-lived `deno eval` (which runs with every permission) to read its /proc/<pid> for it. That
// needs --allow-run for Deno's own binary, which deno.json grants already for --workers, and which
// gives no less than all permissions anyway (a process that may run Deno may run it with -A).
// Without it, or off Linux: no cap, as before.
import { maxConnectionsLeft, type OpenFiles } from '../open-files/open-file-limit.ts';

/** The module whose readOpenFiles() the child runs. */
const READER = new URL('../open-files/open-file-limit.ts', import.meta.url).href;

/** This process's open-file limit and open files, read by a child with the permission to; undefined if none can. */
async function readOwnOpenFiles(): Promise<OpenFiles | undefined> {
  if (Deno.build.os !== 'linux') return undefined;
  if (Deno.permissions.querySync({ name: 'run', command: Deno.execPath() }).state !== 'granted') return undefined;
  const script = `import { readOpenFiles } from ${JSON.stringify(READER)};
console.log(JSON.stringify(readOpenFiles('/proc/${Deno.pid}') ?? null));`;
  try {
    const { success, stdout } = await new Deno.Command(Deno.execPath(), {
      args: ['eval', '-q', '--no-config', script],
      stdin: 'null',
      stdout: 'piped',
      stderr: 'null',
    }).output();
    if (!success) return undefined;
    return (JSON.parse(new TextDecoder().decode(stdout)) as OpenFiles | null) ?? undefined;
  } catch {
    return undefined;
  }
}

export async function defaultMaxConnections(poolThreads: number): Promise<number> {
  return maxConnectionsLeft(await readOwnOpenFiles(), poolThreads);
}
