// A client that opens a new connection for every request, so that concurrent requests really are
// concurrent connections (a shared keep-alive pool could queue them on one socket).
import { request as httpRequest } from 'node:http';

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  /** When the whole response had arrived (epoch ms); used to order events, never as a threshold. */
  receivedAt: number;
}

export interface RequestOptions {
  method?: string;
  body?: string | Buffer;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export function request(url: string, { method = 'GET', body, headers = {}, signal }: RequestOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, receivedAt: Date.now() });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function post(url: string, body?: unknown): Promise<HttpResponse> {
  return request(url, {
    method: 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
}
