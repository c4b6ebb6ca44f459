// How Deno listens and closes: the app on Deno.serve.
import type { ServerConfig } from '../../src/config.ts';
import { ACCEPT_BACKOFF, acceptBackoffMs } from '../../src/serve/accept-errors.ts';
import { RequestTimeoutError } from '../../src/errors.ts';
import { withinRequestTimeout } from '../../src/request-timeout.ts';
import { UNREAD_BODY_DISCARD_BYTES, withConnectionClose } from '../../src/serve/connections.ts';
import type { Fetch, Listen } from '../../src/serve/listener.ts';

/** `reusePort`: several processes share the port (SO_REUSEPORT; Deno requires --unstable-net for it). */
export function listenDeno(
  config: Pick<ServerConfig, 'host' | 'port' | 'requestTimeoutMs'>,
  reusePort: boolean,
): Listen {
  return async (fetch, events) => {
    const handler = keepingSmallUnreadBodies(fetch, config.requestTimeoutMs);
    // Without onListen Deno prints its own "Listening on" line to stderr.
    const open = (port: number): Deno.HttpServer<Deno.NetAddr> =>
      Deno.serve({ hostname: config.host, port, reusePort, onListen: () => {} }, handler);
    let first: Deno.HttpServer<Deno.NetAddr>;
    try {
      // Opens the port synchronously: a port in use or a missing --allow-net throws here.
      first = open(config.port);
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable)
        // npm run start:deno passes what follows `--` to the app, not to Deno: name the command that
        // works, with the one permission to add.
        throw new Error(
          `${error.message}. deno.json allows only 127.0.0.1, localhost and 0.0.0.0; for this address start Deno itself: node_modules/deno/deno run -q --no-prompt -P --allow-net=${netPermission(config)} --preload ./adapters/preload/hold-signals.js adapters/deno/main.ts --host ${config.host} --port ${config.port}`,
          { cause: error },
        );
      throw error;
    }
    const { hostname, port } = first.addr;

    // Deno.serve's accept loop (Rust, ext/http) ends at its first failed accept (EMFILE, ENFILE…):
    // its `finished` promise rejects with Deno.errors.Http, which unhandled ends the process
    // ("Uncaught (in promise) Http: Error: Too many open files", ext:deno_http/00_serve.ts), and its
    // port is closed; the connections it had accepted go on being served. So the rejection is
    // handled here, and a new Deno.serve opens the same port after a backoff, as often as it takes.
    // Every server opened is kept until the drain, which shuts them all down.
    const servers = new Set<Deno.HttpServer<Deno.NetAddr>>();
    let closing = false;
    let failures = 0;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const reopenLater = (error: unknown, upSince: number): void => {
      if (closing) return;
      events.acceptFailed(error);
      // A server that served a while before failing starts the backoff again from its shortest step.
      if (performance.now() - upSince > ACCEPT_BACKOFF.maxMs) failures = 0;
      retry = setTimeout(reopen, acceptBackoffMs(++failures));
    };
    const watch = (server: Deno.HttpServer<Deno.NetAddr>): void => {
      servers.add(server);
      const upSince = performance.now();
      server.finished.then(
        () => reopenLater(new Error('Deno.serve stopped accepting connections'), upSince),
        (error: unknown) => reopenLater(error, upSince),
      );
    };
    const reopen = (): void => {
      retry = undefined;
      if (closing) return;
      try {
        watch(open(port));
      } catch (error) {
        // The listening socket itself needs an open file: still out of them.
        reopenLater(error, performance.now());
      }
    };
    watch(first);

    let drained: Promise<void> | undefined;
    return {
      url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`,
      // shutdown() stops accepting at once, closes idle kept-alive connections and those that have not
      // sent a whole request, closes each busy one after its answer, and resolves when the answers in
      // flight have been sent. Deno has no forced close: the lifecycle exits the process right after,
      // which ends whatever is left. Deno.serve has no timeout to set (docs/reliability.md).
      // A `Connection: close` header on a Response is sent but not acted on outside a shutdown: the
      // connection stays open until the client, told to, closes it.
      close: (force) => {
        if (force) return Promise.resolve();
        closing = true;
        clearTimeout(retry);
        return (drained ??= Promise.all([...servers].map((server) => server.shutdown().catch(() => {}))).then(
          () => {},
        ));
      },
    };
  };
}

/** The --allow-net value that lets this configuration listen: host:port, IPv6 in brackets. */
export function netPermission({ host, port }: Pick<ServerConfig, 'host' | 'port'>): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Deno answers a request whose body the app never touched, and that has not all arrived, with
 * `Connection: close` and closes the connection (measured on 2.9.6 with 8 KiB). A body declared
 * within UNREAD_BODY_DISCARD_BYTES is read and thrown away before the answer goes, so that the
 * connection is kept, as on the other runtimes (src/serve/connections.ts). A body the app began to
 * read, Deno reads to its end itself, whatever its length. A body still trickling at the request
 * timeout (`timeoutMs`) is left: the answer goes, saying `Connection: close`. Deno.serve itself then
 * keeps the connection for as long as the body trickles: no handler can close it
 * (docs/reliability.md#slow-and-idle-clients).
 */
function keepingSmallUnreadBodies(
  fetch: Fetch,
  timeoutMs: number,
): (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response> {
  return (request, info) => {
    // Deno gives GET and HEAD no body (measured on 2.9.6, Content-Length or chunked alike): nothing to
    // keep, and the app's answer goes back as it came, synchronous where it is, without reading the
    // request's headers (each a cost on Deno): a fifth of GET /'s profile before.
    const method = request.method;
    if (method === 'GET' || method === 'HEAD') return fetch(request, info);
    // No async function around the app: an answer that is already here goes on at once, and one that
    // is a promise takes a single `then`, not an async frame and its await.
    const answer = fetch(request, info);
    return answer instanceof Promise
      ? answer.then((response) => discardingSmallUnreadBody(request, response, timeoutMs))
      : discardingSmallUnreadBody(request, answer, timeoutMs);
  };
}

/**
 * `response` as it is, or once a small body the app left unread has been read and thrown away. The
 * headers come first: the app has read them already where it read the body (so this costs nothing
 * then), and a request with no length declared (most bodyless POSTs) is done without asking Deno
 * whether its body was used.
 */
function discardingSmallUnreadBody(
  request: Request,
  response: Response,
  timeoutMs: number,
): Response | Promise<Response> {
  if (request.headers.has('transfer-encoding')) return response;
  const length = Number(request.headers.get('content-length'));
  if (!(length > 0 && length <= UNREAD_BODY_DISCARD_BYTES)) return response;
  if (request.bodyUsed || !request.body || request.body.locked) return response;
  return discarding(request.body.getReader(), response, timeoutMs);
}

async function discarding(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  response: Response,
  timeoutMs: number,
): Promise<Response> {
  try {
    await withinRequestTimeout(readToEnd(reader), timeoutMs);
  } catch (error) {
    if (error instanceof RequestTimeoutError) {
      reader.cancel().catch(() => {});
      return withConnectionClose(response);
    }
    // The client went away: nothing to keep.
  }
  return response;
}

async function readToEnd(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  while (!(await reader.read()).done);
}
