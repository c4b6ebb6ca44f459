// A one-route Hono app on Node (@hono/node-server), answering like the app's GET /: what Hono and
// the adapter cost before any of the app's own middleware.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.json({ message: 'Hello World', worker_id: process.pid, runtime: 'node' }));
serve({ fetch: app.fetch, port: Number(process.argv[2]), hostname: '127.0.0.1' });
process.on('SIGTERM', () => process.exit(0));
