// GET /docs's Swagger UI files for the runtimes that run as processes (Node, Bun, Deno): read from
// the installed swagger-ui-dist package, where npm put it, so that the server needs no copy and
// no network. Workers, which has no file system, bundles them instead (adapters/cloudflare/).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { DocsAssets } from '../../src/docs-ui/docs-routes.ts';

export async function readSwaggerUiFiles(): Promise<DocsAssets> {
  const resolve = createRequire(import.meta.url).resolve;
  const [bundleJs, css] = await Promise.all([
    readFile(resolve('swagger-ui-dist/swagger-ui-bundle.js'), 'utf8'),
    readFile(resolve('swagger-ui-dist/swagger-ui.css'), 'utf8'),
  ]);
  return { bundleJs, css };
}
