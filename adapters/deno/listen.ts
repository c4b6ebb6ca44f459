// How Deno listens and closes: the app on Deno.serve.
import type { ServerConfig } from '../../src/config.ts';
import type { Listen } from '../../src/serve/listener.ts';

/** `reusePort`: several processes share the port (SO_REUSEPORT; Deno requires --unstable-net for it). */
export function listenDeno(config: Pick<ServerConfig, 'host' | 'port'>, reusePort: boolean): Listen {
  return async (fetch) => {
    let server: Deno.HttpServer<Deno.NetAddr>;
    try {
      // Opens the port synchronously: a port in use or a missing --allow-net throws here.
      // Without onListen Deno prints its own "Listening on" line to stderr.
      server = Deno.serve({ hostname: config.host, port: config.port, reusePort, onListen: () => {} }, fetch);
    } catch (error) {
      if (error instanceof Deno.errors.NotCapable) throw new Error(`${error.message} (start it with --allow-net=${netPermission(config)})`, { cause: error });
      throw error;
    }
    const { hostname, port } = server.addr;
    let drained: Promise<void> | undefined;
    return {
      url: `http://${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`,
      // shutdown() stops accepting at once, closes idle kept-alive connections and those that have not
      // sent a whole request, closes each busy one after its answer, and resolves when the answers in
      // flight have been sent. Deno has no forced close: the lifecycle exits the process right after,
      // which ends whatever is left. Deno.serve has no timeout to set (docs/reliability.md).
      // A `Connection: close` header on a Response is sent but not acted on outside a shutdown: the
      // connection stays open until the client, told to, closes it.
      close: (force) => (force ? Promise.resolve() : (drained ??= server.shutdown())),
    };
  };
}

/** The --allow-net value that lets this configuration listen: host:port, IPv6 in brackets. */
export function netPermission({ host, port }: Pick<ServerConfig, 'host' | 'port'>): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
