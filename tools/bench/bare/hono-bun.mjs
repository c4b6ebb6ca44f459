/* global Bun */
// A one-route Hono app on Bun.serve, answering like the app's GET /.
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.json({ message: 'Hello World', worker_id: process.pid, runtime: 'bun' }));
Bun.serve({ port: Number(process.argv[2]), hostname: '127.0.0.1', development: false, fetch: app.fetch });
