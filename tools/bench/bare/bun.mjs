/* global Bun, Response */
// The baseline for hello throughput on Bun: Bun.serve with no framework, answering like GET /.
const body = JSON.stringify({ message: 'Hello World', worker_id: process.pid, runtime: 'bun' });
Bun.serve({
  port: Number(process.argv[2]),
  hostname: '127.0.0.1',
  fetch: () => new Response(body, { headers: { 'content-type': 'application/json' } }),
});
