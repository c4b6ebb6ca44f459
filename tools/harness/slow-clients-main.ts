// The slow clients' process (./slow-clients.ts starts it):
// `node --import tsx tools/harness/slow-clients-main.ts --port N --trickling 1000 --silent 200`.
// It prints one JSON line when every connection is open ({"event":"slow_clients_open"}), then one
// each time the server closes some ({"event":"slow_clients_closed", closed, answered, json_408}):
// how many the server has closed so far, how many of those got an answer first, and how many of the
// answers were the contract's JSON 408. It stops on SIGTERM or when its stdin ends.
import { connect, type Socket } from 'node:net';
import { parseArgs } from 'node:util';

/** At most this many connections being opened at once: the server's listen backlog is 511 on Node. */
const OPENING_AT_ONCE = 100;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      trickling: { type: 'string', default: '0' },
      silent: { type: 'string', default: '0' },
      'interval-ms': { type: 'string', default: '1000' },
    },
  });
  const port = Number(values.port);
  const trickling = Number(values.trickling);
  const silent = Number(values.silent);
  const intervalMs = Number(values['interval-ms']);
  const sockets: Socket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const state = { closed: 0, answered: 0, json_408: 0, stopping: false };
  let report: NodeJS.Timeout | undefined;
  const reportSoon = (): void => {
    // One line for a burst of closes (the server ends many at the same check).
    report ??= setTimeout(() => {
      report = undefined;
      process.stdout.write(
        `${JSON.stringify({ event: 'slow_clients_closed', closed: state.closed, answered: state.answered, json_408: state.json_408 })}\n`,
      );
    }, 50);
  };
  const watch = (socket: Socket): void => {
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => {});
    socket.once('close', () => {
      if (state.stopping) return;
      state.closed++;
      if (received.startsWith('HTTP/1.1 ')) state.answered++;
      if (/^HTTP\/1\.1 408 /.test(received) && /application\/json/i.test(received) && received.includes('"error"'))
        state.json_408++;
      reportSoon();
    });
  };

  for (let i = 0; i < trickling + silent; i += OPENING_AT_ONCE) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(OPENING_AT_ONCE, trickling + silent - i) }, () => open(port)),
    );
    for (const socket of batch) {
      watch(socket);
      sockets.push(socket);
    }
  }
  sockets.slice(0, trickling).forEach((socket, index) => {
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Trickle: ');
    // Spread over the interval, so that the server sees a steady trickle rather than bursts.
    const start = setTimeout(
      () => {
        timers.push(setInterval(() => socket.writable && socket.write('a'), intervalMs));
      },
      (index * intervalMs) / Math.max(1, trickling),
    );
    timers.push(start);
  });
  process.stdout.write(`${JSON.stringify({ event: 'slow_clients_open', trickling, silent })}\n`);

  const stop = (): void => {
    state.stopping = true;
    for (const timer of timers) clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.resume();
}

await main();
