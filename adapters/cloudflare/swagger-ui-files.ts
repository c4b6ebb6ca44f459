// GET /docs's Swagger UI files on Workers, which have no file system: bundled into the Worker as text
// modules (wrangler.toml's [[rules]] type = "Text"), so the page needs no CDN and no assets binding.
import type { DocsAssets } from '../../src/docs-ui/docs-routes.ts';
import bundleJs from 'swagger-ui-dist/swagger-ui-bundle.js';
import css from 'swagger-ui-dist/swagger-ui.css';

export const bundledSwaggerUiFiles = (): Promise<DocsAssets> => Promise.resolve({ bundleJs, css });
