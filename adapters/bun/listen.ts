// How Bun listens and closes: the app on Bun.serve.
import type { ServerConfig } from '../../src/config.ts';
import type { Listen } from '../../src/serve/listener.ts';

/** `reusePort`: every process of `--workers N` binds the same port; the kernel picks one per connection. */
export function listenBun({ host, port }: Pick<ServerConfig, 'host' | 'port'>, reusePort: boolean): Listen {
  return async (fetch) => {
    // Bun.serve opens the port synchronously and throws when it cannot.
    const server = Bun.serve({
      port,
      hostname: host,
      reusePort,
      // Not Bun's HTML error pages: the app answers every error in JSON itself.
      development: false,
      fetch,
    });
    let drained: Promise<void> | undefined;
    return {
      url: server.url.origin,
      // stop() refuses new connections at once, closes idle keep-alive ones, and resolves when the
      // last in-flight response has been sent; stop(true) closes every connection now.
      close: (force) => (force ? server.stop(true) : (drained ??= server.stop())),
    };
  };
}
