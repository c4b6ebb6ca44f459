// A one-route Hono app as a module Worker (wrangler dev), answering like the app's GET /.
// Started with --config tools/bench/bare/wrangler-hono.toml.
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) =>
  c.json({ message: 'Hello World', worker_id: '00000000-0000-4000-8000-000000000000', runtime: 'workerd' }),
);
export default app;
