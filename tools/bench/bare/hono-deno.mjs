/* global Deno */
// A one-route Hono app on Deno.serve, answering like the app's GET /.
import { Hono } from 'hono';

const app = new Hono();
app.get('/', (c) => c.json({ message: 'Hello World', worker_id: Deno.pid, runtime: 'deno' }));
Deno.serve({ port: Number(Deno.args[0]), hostname: '127.0.0.1', onListen() {} }, app.fetch);
