// The load itself: `concurrency` clients, each sending one request after another from the mix
// until told to stop, over one keep-alive agent. Every answer is checked against its kind.
import { keepAliveAgent, send } from './keep-alive-client.ts';
import { pickKind, type RequestKind } from './mix.ts';

export interface Tally {
  requests: number;
  /** Answers with the expected status, by kind. */
  ok: Record<string, number>;
  /** 503 `overloaded` answers to work routes: counted apart (see run-soak.ts for when they are errors). */
  overloaded: number;
  /** Everything else, as "kind: status" or "kind: error code", with counts. */
  errors: Record<string, number>;
  errorCount: number;
}

export function emptyTally(): Tally {
  return { requests: 0, ok: {}, overloaded: 0, errors: {}, errorCount: 0 };
}

export function record(tally: Tally, kind: RequestKind, outcome: { status: number } | { error: unknown }): void {
  tally.requests++;
  if ('status' in outcome && outcome.status === kind.expected) {
    tally.ok[kind.name] = (tally.ok[kind.name] ?? 0) + 1;
    return;
  }
  if ('status' in outcome && outcome.status === 503 && kind.expected === 200 && kind.name.startsWith('delay')) {
    tally.overloaded++;
    return;
  }
  const what = 'status' in outcome ? String(outcome.status) : errorCode(outcome.error);
  const key = `${kind.name}: ${what}`;
  tally.errors[key] = (tally.errors[key] ?? 0) + 1;
  tally.errorCount++;
}

function errorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    return code ?? error.message;
  }
  return String(error);
}

export interface LoadOptions {
  url: string;
  kinds: readonly RequestKind[];
  concurrency: number;
  timeoutMs: number;
  random?: () => number;
}

/** A running load: `stop()` lets each client finish the request it is on, then resolves. */
export interface RunningLoad {
  tally: Tally;
  stop(): Promise<void>;
}

export function startLoad({ url, kinds, concurrency, timeoutMs, random = Math.random }: LoadOptions): RunningLoad {
  const agent = keepAliveAgent(concurrency);
  const tally = emptyTally();
  let stopping = false;
  const client = async () => {
    while (!stopping) {
      const kind = pickKind(kinds, random);
      const planned = kind.make(random);
      try {
        const status = await send(`${url}${planned.path}`, {
          method: planned.method,
          ...(planned.body === undefined ? {} : { body: planned.body }),
          agent,
          timeoutMs,
        });
        record(tally, kind, { status });
      } catch (error) {
        record(tally, kind, { error });
      }
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  return {
    tally,
    async stop() {
      stopping = true;
      await Promise.all(clients);
      agent.destroy();
    },
  };
}
