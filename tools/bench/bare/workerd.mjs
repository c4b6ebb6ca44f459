/* global Response */
// The baseline for hello throughput on workerd (wrangler dev): a module Worker with no framework,
// answering like GET /. Started with --config tools/bench/bare/wrangler-bare.toml.
const body = JSON.stringify({
  message: 'Hello World',
  worker_id: '00000000-0000-4000-8000-000000000000',
  runtime: 'workerd',
});
export default {
  fetch: () => new Response(body, { headers: { 'content-type': 'application/json' } }),
};
