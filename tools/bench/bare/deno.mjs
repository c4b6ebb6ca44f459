/* global Deno, Response */
// The baseline for hello throughput on Deno: Deno.serve with no framework, answering like GET /.
const body = JSON.stringify({ message: 'Hello World', worker_id: Deno.pid, runtime: 'deno' });
Deno.serve(
  { port: Number(Deno.args[0]), hostname: '127.0.0.1', onListen() {} },
  () => new Response(body, { headers: { 'content-type': 'application/json' } }),
);
