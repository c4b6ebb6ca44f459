// `--workers N` on Deno: the seed's `uvicorn --workers 4`. The supervisor serves nothing itself: it
// spawns N Deno processes that share the port with SO_REUSEPORT (the kernel hashes each connection
// to one of them), announces server_ready once all N listen, restarts a child that dies (backing off
// when it keeps dying), forwards SIGINT/SIGTERM and exits only when every child is gone.
//
// Why processes and not `deno serve --parallel`: that runs N isolates inside ONE process, so every
// answer would carry the same pid as worker_id, and it cannot be configured by this app's flags.
import type { Logger } from '../../src/logger.ts';
import { configToArgs, type ServerConfig } from '../../src/server-config.ts';
import { netPermission } from './serve-deno.ts';

/** What a child prints on stderr once its port is open; the supervisor swallows it and counts it. */
export const CHILD_LISTENING_LINE = 'concurrency-lab: child listening';

/** A child that ran this long before dying was healthy: its crash does not count towards giving up. */
const STABLE_UPTIME_MS = 5_000;
/** Consecutive failed starts after which the supervisor gives up and exits non-zero. */
const MAX_START_ATTEMPTS = 5;
const FIRST_RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;
/** After the children's own shutdown timeout, how long to wait before killing a child that hangs. */
const KILL_GRACE_MS = 2_000;

const CHILD_ENTRY = new URL('./supervised-child.ts', import.meta.url);
/** The code a child's pool threads load: Web Workers need read permission for their modules. */
const SOURCE_DIRS = [new URL('.', import.meta.url), new URL('../../src/', import.meta.url)].map((url) => decodeURIComponent(url.pathname));

interface Child {
  process: Deno.ChildProcess;
  startedAt: number;
  listening: boolean;
}

export class ProcessSupervisor {
  readonly #config: ServerConfig;
  readonly #logger: Logger;
  readonly #children = new Set<Child>();
  readonly #who = { worker_id: Deno.pid };
  #failedStarts = 0;
  #closing = false;
  #ready = false;

  constructor(config: ServerConfig, logger: Logger) {
    this.#config = config;
    this.#logger = logger;
  }

  start(): void {
    if (Deno.permissions.querySync({ name: 'run', command: Deno.execPath() }).state !== 'granted') {
      console.error(`error: --workers needs permission to start Deno itself: add --allow-run=${Deno.execPath()}`);
      Deno.exit(2);
    }
    Deno.addSignalListener('SIGINT', () => this.#stop('SIGINT'));
    Deno.addSignalListener('SIGTERM', () => this.#stop('SIGTERM'));
    for (let i = 0; i < this.#config.workers; i++) this.#spawn();
  }

  #spawn(): void {
    const config = this.#config;
    const process = new Deno.Command(Deno.execPath(), {
      args: [
        'run',
        '--no-prompt', // a child must fail, not wait on a prompt nobody sees
        '--unstable-net', // Deno.serve({ reusePort: true }) is unstable API on Deno 2.9
        '--unstable-no-legacy-abort', // as in package.json's start:deno: request.signal aborts only when the client goes away
        `--allow-net=${netPermission(config)}`, // this one address and port, nothing else
        '--allow-env',
        `--allow-read=${SOURCE_DIRS.join(',')}`,
        CHILD_ENTRY.href,
        ...configToArgs(config),
        `--workers=${config.workers}`,
      ],
      // The child reads stdin until EOF: if this process dies, even by SIGKILL, the kernel closes
      // the pipe's write end and the child shuts down instead of serving on as an orphan.
      stdin: 'piped',
      stdout: 'inherit',
      stderr: 'piped',
    }).spawn();
    const child: Child = { process, startedAt: Date.now(), listening: false };
    this.#children.add(child);
    this.#logger.info('worker_started', `Started worker ${process.pid}`, { ...this.#who, child: process.pid });
    void this.#relayStderr(child);
    void process.status.then((status) => this.#onExit(child, status));
  }

  /** Passes the child's stderr through, except the line that says it listens. */
  async #relayStderr(child: Child): Promise<void> {
    let pending = '';
    for await (const text of child.process.stderr.pipeThrough(new TextDecoderStream())) {
      const lines = (pending + text).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === CHILD_LISTENING_LINE) this.#onListening(child);
        else console.error(line);
      }
    }
    if (pending !== '') console.error(pending);
  }

  #onListening(child: Child): void {
    child.listening = true;
    const listening = [...this.#children].filter((c) => c.listening).length;
    if (this.#ready || listening < this.#config.workers) return;
    this.#ready = true;
    const url = `http://${netPermission(this.#config)}`;
    this.#logger.info('server_ready', `Concurrency Lab (deno ${Deno.version.deno}) listening on ${url} with ${this.#config.workers} workers, mode ${this.#config.mode}`, {
      ...this.#who,
      url,
      processes: this.#config.workers,
    });
  }

  #onExit(child: Child, { code, signal }: Deno.CommandStatus): void {
    this.#children.delete(child);
    const pid = child.process.pid;
    const uptime = Date.now() - child.startedAt;
    if (this.#closing) {
      if (this.#children.size === 0) {
        this.#logger.info('server_stopped', 'All workers stopped', this.#who);
        Deno.exit(0);
      }
      return;
    }
    this.#failedStarts = uptime >= STABLE_UPTIME_MS ? 0 : this.#failedStarts + 1;
    if (this.#failedStarts >= MAX_START_ATTEMPTS) {
      this.#logger.error('worker_exited', `Worker ${pid} died ${this.#failedStarts} times in a row soon after starting; giving up`, { ...this.#who, child: pid });
      this.#closing = true;
      for (const other of this.#children) other.process.kill('SIGKILL');
      Deno.exit(1);
    }
    // Exponential backoff, so that a child that cannot start does not spin the CPU.
    const delay = this.#failedStarts === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (this.#failedStarts - 1));
    this.#logger.warn('worker_exited', `Worker ${pid} exited (${signal ?? `code ${code}`}) after ${uptime} ms; restarting in ${delay} ms`, { ...this.#who, child: pid });
    setTimeout(() => {
      if (!this.#closing) this.#spawn();
    }, delay);
  }

  #stop(signal: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#logger.info('server_stopping', `${signal}: stopping ${this.#children.size} workers`, this.#who);
    if (this.#children.size === 0) Deno.exit(0);
    // Each child drains its own in-flight requests, as a lone server does.
    for (const child of this.#children) child.process.kill('SIGTERM');
    const killTimer = setTimeout(() => {
      this.#logger.warn('server_stopping', 'Workers did not stop in time; killing them', this.#who);
      for (const child of this.#children) child.process.kill('SIGKILL');
    }, this.#config.shutdownTimeoutMs + KILL_GRACE_MS);
    Deno.unrefTimer(killTimer);
  }
}
