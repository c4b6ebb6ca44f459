// GET /openapi.json is a valid OpenAPI 3.1 document (checked with @seriousme/openapi-schema-validator,
// against the OpenAPI Initiative's own schema), it carries this server's settings, and it lists
// every route the app has and no route it lacks.
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createApp, type AppOptions } from '../app.ts';
import { FakePool, fakeRuntime } from '../fake-runtime.ts';
import { createLogger } from '../logger.ts';

const silent = createLogger({ format: 'off', now: () => 0 });
const noFiles = () => Promise.resolve({ bundleJs: '', css: '' });

type Document = {
  openapi: string;
  paths: Record<string, Record<string, { parameters?: { name: string; schema: Record<string, unknown> }[] }>>;
  components: { schemas: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
};

async function documentOf(options: Partial<AppOptions> & { pool?: boolean } = {}) {
  const { pool = true, ...rest } = options;
  const app = createApp({
    runtime: fakeRuntime(pool ? new FakePool() : undefined),
    defaultMode: 'async',
    maxDelayMs: 10_000,
    logger: silent,
    ...rest,
  });
  const response = await app.request('/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  return { app, document: (await response.json()) as Document };
}

describe('GET /openapi.json', () => {
  it.each([
    ['with the lab and the docs page', { labUi: true, docs: noFiles }],
    ['with neither', {}],
    ['without a pool (as on Workers)', { pool: false, labUi: true, docs: noFiles }],
  ])('is a valid OpenAPI 3.1 document %s', async (_how, options) => {
    const { document } = await documentOf(options);
    const result = await new Validator().validate(document as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\.1\./);
  });

  it("gives POST /delay's parameters this server's limits and default mode, in the query and in the body alike", async () => {
    const { document } = await documentOf({ maxDelayMs: 1234, defaultMode: 'blocking' });
    const query = Object.fromEntries(document.paths['/delay']!.post!.parameters!.map((p) => [p.name, p.schema]));
    expect(query.ms).toMatchObject({ type: 'integer', minimum: 0, maximum: 1234, default: 1234 });
    expect(query.mode).toMatchObject({ enum: ['blocking', 'async', 'pool'], default: 'blocking' });
    expect(query.work).toMatchObject({ enum: ['sleep', 'cpu'], default: 'sleep' });
    expect(document.components.schemas.DelayParams!.properties).toEqual(query);
  });

  it('says which modes this server runs', async () => {
    const { document } = await documentOf({ pool: false });
    const mode = document.paths['/delay']!.post!.parameters!.find((p) => p.name === 'mode') as unknown as {
      description: string;
    };
    expect(mode.description).toContain('This server runs blocking, async.');
  });

  it('lists every route the app serves, /lab and /docs only while they are on', async () => {
    for (const options of [{ labUi: true, docs: noFiles }, {}]) {
      const { app, document } = await documentOf(options);
      // The app's own routes: pages and API, less the middlewares, the 405 catch-alls and the pages' own files.
      const served = new Set(
        app.routes
          .filter((route) => route.method !== 'ALL' && !/^\/(lab|docs)\/./.test(route.path))
          .map((route) => `${route.method} ${route.path}`),
      );
      const documented = new Set(
        Object.entries(document.paths).flatMap(([path, item]) =>
          Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
        ),
      );
      expect(documented).toEqual(served);
    }
  });
});

describe('GET /docs', () => {
  it('serves the page and its files under a CSP that allows this origin alone', async () => {
    const app = createApp({
      runtime: fakeRuntime(),
      defaultMode: 'async',
      maxDelayMs: 10_000,
      logger: silent,
      docs: () => Promise.resolve({ bundleJs: 'window.SwaggerUIBundle = 1', css: 'body{}' }),
    });
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toMatch(/unsafe|https?:/);
    const html = await page.text();
    for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src[1]).toMatch(/^(\/|data:)/);
    expect(await (await app.request('/docs/swagger-ui-bundle.js')).text()).toBe('window.SwaggerUIBundle = 1');
    expect(await (await app.request('/docs/swagger-ui.css')).text()).toBe('body{}');
    expect((await app.request('/docs/init.js')).status).toBe(200);
    expect((await app.request('/docs', { method: 'POST' })).status).toBe(405);
  });

  it('answers 404 when turned off, and /openapi.json still answers', async () => {
    const app = createApp({ runtime: fakeRuntime(), defaultMode: 'async', maxDelayMs: 10_000, logger: silent });
    expect((await app.request('/docs')).status).toBe(404);
    expect((await app.request('/docs/swagger-ui-bundle.js')).status).toBe(404);
    expect((await app.request('/openapi.json')).status).toBe(200);
  });
});
