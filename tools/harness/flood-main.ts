// The flood's process (./flood.ts starts it): `node --import tsx tools/harness/flood-main.ts --port N
// --connections 2000`. It opens that many connections to 127.0.0.1:N and sends nothing on any, as an
// attacker holding a server's open files would. A connection the server refuses or that cannot be
// made is counted, not fatal: past the server's limits that is what is expected. It prints one JSON
// line once every attempt has settled ({"event":"flood_open", connected, failed}), then one each time
// the server closes some ({"event":"flood_closed", closed}). It stops on SIGTERM or when stdin ends.
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

/** Connections being opened at once. */
const OPENING_AT_ONCE = 100;
/** A connection whose handshake has not completed by then (the server's backlog full) counts as failed. */
const CONNECT_TIMEOUT_MS = 5_000;

const { values } = parseArgs({ options: { port: { type: 'string' }, connections: { type: 'string' } } });
const port = Number(values.port);
const total = Number(values.connections);
const sockets: Socket[] = [];
const state = { connected: 0, failed: 0, closed: 0, stopping: false };
let report: NodeJS.Timeout | undefined;

function attempt(): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    let connected = false;
    socket.setTimeout(CONNECT_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => {});
    socket.once('connect', () => {
      connected = true;
      state.connected++;
      socket.setTimeout(0);
      // Read, into nothing: a socket nobody reads never sees the server's FIN.
      socket.resume();
      resolve();
    });
    socket.once('close', () => {
      if (!connected) {
        state.failed++;
        resolve();
        return;
      }
      if (state.stopping) return;
      state.closed++;
      // One line for a burst of closes (the server ends many at the same check).
      report ??= setTimeout(() => {
        report = undefined;
        process.stdout.write(`${JSON.stringify({ event: 'flood_closed', closed: state.closed })}\n`);
      }, 50);
    });
  });
}

for (let i = 0; i < total; i += OPENING_AT_ONCE)
  await Promise.all(Array.from({ length: Math.min(OPENING_AT_ONCE, total - i) }, attempt));
process.stdout.write(`${JSON.stringify({ event: 'flood_open', connected: state.connected, failed: state.failed })}\n`);

const stop = (): void => {
  state.stopping = true;
  for (const socket of sockets) socket.destroy();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
