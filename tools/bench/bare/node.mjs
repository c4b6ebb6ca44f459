// The baseline for hello throughput on Node: node:http with no framework, answering like GET /.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const body = JSON.stringify({ message: 'Hello World', worker_id: process.pid, runtime: 'node' });
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
}).listen(port, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
