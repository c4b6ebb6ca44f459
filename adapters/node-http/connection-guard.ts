// --max-connections on Node, and the counts /metrics shows. node:net's maxConnections closes a
// connection past the cap at once ('drop'). A connection that sends nothing needs nothing here:
// node:http's headersTimeout already counts from accept for it (measured on Node 20.20: silent
// connections closed with a 408 about 10 s after they were accepted; ./connections.ts sets the check
// to run every second).
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionCounts } from '../../src/serve/listener.ts';

export function guardConnections(server: Server, maxConnections: number): () => ConnectionCounts {
  let open = 0;
  let refused = 0;
  if (Number.isFinite(maxConnections)) server.maxConnections = maxConnections;
  server.on('drop', () => refused++);
  // Shared by every connection: no closure a connection.
  const closed = (): void => {
    open--;
  };
  server.on('connection', (socket: Socket) => {
    open++;
    socket.once('close', closed);
  });
  return () => ({ open, refused });
}
