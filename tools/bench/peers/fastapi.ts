// The seed's FastAPI app (fastapi_delay.py) as a peer: started with uvicorn, one worker, on a free
// loopback port, when some python3 here has fastapi and uvicorn. The first python3 on PATH may not
// (a pyenv shim, say) while Debian's /usr/bin/python3 does: each is asked in turn.
import { execFileSync } from 'node:child_process';
import { freePort } from '../../harness/free-port.ts';
import { request } from '../../harness/http-client.ts';
import { REPO_ROOT } from '../../harness/repo-root.ts';
import { startServer, type ServerProcess } from '../../harness/server-process.ts';

export interface Python {
  command: string;
  fastapi: string;
  uvicorn: string;
}

const CANDIDATES = ['python3', '/usr/bin/python3'];

/** The first python3 with fastapi and uvicorn, or why there is none. */
export function findFastApiPython(
  candidates = CANDIDATES,
): { python: Python; passedOver: string[] } | { missing: string } {
  const tried: string[] = [];
  for (const command of candidates) {
    try {
      const out = execFileSync(
        command,
        ['-c', 'import fastapi, uvicorn, sys; print(sys.executable, fastapi.__version__, uvicorn.__version__)'],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 15_000,
        },
      );
      const [executable, fastapi, uvicorn] = out.trim().split(/\s+/);
      if (executable && fastapi && uvicorn)
        return { python: { command: executable, fastapi, uvicorn }, passedOver: tried };
      tried.push(`${command}: unexpected answer ${JSON.stringify(out.trim())}`);
    } catch (error) {
      const err = error as { code?: string; stderr?: string };
      tried.push(
        `${command}: ${err.code === 'ENOENT' ? 'not found' : (err.stderr?.trim().split('\n').at(-1) ?? 'failed')}`,
      );
    }
  }
  return {
    missing: `no python3 with fastapi and uvicorn (${tried.join('; ')}); Debian: apt-get install python3-fastapi python3-uvicorn`,
  };
}

export interface PeerServer {
  url: string;
  process: ServerProcess;
  label: string;
}

export async function startFastApi(python: Python, fdLimit?: number): Promise<PeerServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer({
    command: python.command,
    args: [
      '-m',
      'uvicorn',
      '--app-dir',
      'tools/bench/peers',
      'fastapi_delay:app',
      '--host=127.0.0.1',
      `--port=${port}`,
      '--workers=1',
      '--no-access-log',
      '--log-level=warning',
    ],
    cwd: REPO_ROOT,
    env: { PYTHONDONTWRITEBYTECODE: '1' },
    isReady: async () => {
      try {
        return (await request(`${url}/health`)).status === 200;
      } catch {
        return false;
      }
    },
    readyTimeoutMs: 30_000,
    ...(fdLimit ? { fdLimit } : {}),
  });
  return {
    url,
    process: server,
    label: `FastAPI ${python.fastapi} on uvicorn ${python.uvicorn} (${python.command}, 1 worker)`,
  };
}
