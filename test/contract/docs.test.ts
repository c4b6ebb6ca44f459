// GET /docs and /openapi.json on one runtime (CONTRACT_RUNTIME): the page's files come from this
// server, read the way this runtime reads them (from disk, or bundled on Workers), and --docs off
// (LAB_DOCS = "off" in [vars] on Workers) takes the page away but leaves the document.
// The page in a real browser: test/browser/docs.browser.test.ts.
import { afterAll, describe, expect, it } from 'vitest';
import { request } from '../../tools/harness/http-client.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { startRuntime } from '../../tools/harness/start-runtime.ts';

const runtime = runtimeUnderTest();

afterAll(stopAllServers);

describe(`/docs on ${runtime.name}`, () => {
  it("serves Swagger UI's page and files from this server, under a CSP that allows this origin alone", async () => {
    const server = await startRuntime(runtime);
    const page = await request(`${server.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'.*script-src 'self'/);
    const bundle = await request(`${server.url}/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/^text\/javascript/);
    expect(bundle.text).toContain('SwaggerUIBundle');
    const css = await request(`${server.url}/docs/swagger-ui.css`);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.text).toContain('.swagger-ui');
    await server.process.stop();
  });

  it('--docs off answers 404 on /docs and its files, and /openapi.json no longer lists it', async () => {
    const server = await startRuntime(runtime, { docs: false });
    expect((await request(`${server.url}/docs`)).status).toBe(404);
    expect((await request(`${server.url}/docs/swagger-ui-bundle.js`)).status).toBe(404);
    const document = await request(`${server.url}/openapi.json`);
    expect(document.status).toBe(200);
    expect(Object.keys((document.json as { paths: object }).paths)).not.toContain('/docs');
    await server.process.stop();
  });
});
