// The soak's HTTP client: requests over a shared keep-alive agent, as a real client or proxy sends
// them (the lab's client opens a connection a request on purpose; a soak wants reuse). Only the
// status matters here, so the body is drained, not kept.
import { Agent, request } from 'node:http';

/** At most `concurrency` sockets, kept open between requests. */
export function keepAliveAgent(concurrency: number): Agent {
  return new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
}

export interface SendOptions {
  method: string;
  body?: string;
  agent: Agent;
  /** A request not answered in time is an error, so that a stuck server cannot stall the soak. */
  timeoutMs: number;
}

/** Resolves with the status once the whole response has arrived; rejects on a connection error or timeout. */
export function send(url: string, { method, body, agent, timeoutMs }: SendOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    const req = request(url, { method, agent, headers, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      res.on('error', reject);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.resume();
    });
    req.on('error', reject);
    req.end(body);
  });
}
