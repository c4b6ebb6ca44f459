// GET /docs: Swagger UI over this server's /openapi.json, as FastAPI serves it, but from this server
// itself: its script and style (the swagger-ui-dist package) come from /docs/*, never from a CDN, so
// the page works offline and under a CSP that allows this origin only. The runtime's adapter says how
// the package's files are read (from disk on Node, Bun and Deno; bundled on Workers): DocsAssets.
// Mounted by createApp with --docs on (the default; LAB_DOCS in the environment or [vars]).
import type { Env, Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { MethodNotAllowedError } from '../errors.ts';

/** The two files of swagger-ui-dist the page needs, as text. */
export interface DocsAssets {
  bundleJs: string;
  css: string;
}

/** Reads DocsAssets once, when /docs is first asked for: a server nobody opens /docs on never reads them. */
export type DocsAssetSource = () => Promise<DocsAssets>;

export const DOCS_PATHS = ['/docs', '/docs/swagger-ui-bundle.js', '/docs/swagger-ui.css', '/docs/init.js'] as const;

/**
 * Scripts, styles, images and requests from this origin only, nothing inline, no eval, no frames: the
 * live lab's policy. (`data:` images: Swagger UI's icons.) "Try it out" sends its requests to this
 * origin, which `connect-src 'self'` allows.
 */
export const DOCS_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Concurrency Lab · API docs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<noscript>This page needs JavaScript; the API's description is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

/** FastAPI's settings for Swagger UI, less what reaches outside: no validator badge (it calls swagger.io). */
const INIT_JS = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
});
`;

export interface DocsOptions {
  assets: DocsAssetSource;
}

export function mountDocs<E extends Env>(app: Hono<E>, { assets }: DocsOptions): void {
  let loaded: Promise<DocsAssets> | undefined;
  const files = (): Promise<DocsAssets> => {
    // A failed read is tried again on the next request, not remembered for ever.
    loaded ??= assets().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };

  app.use('/docs', secureHeaders({ contentSecurityPolicy: DOCS_CSP }));
  app.use('/docs/*', secureHeaders({ contentSecurityPolicy: DOCS_CSP }));

  app.get('/docs', (c) => c.html(PAGE, 200, { 'Cache-Control': 'no-cache' }));
  app.get('/docs/init.js', (c) =>
    c.body(INIT_JS, 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }),
  );
  app.get('/docs/swagger-ui-bundle.js', async (c) =>
    c.body((await files()).bundleJs, 200, {
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
    }),
  );
  app.get('/docs/swagger-ui.css', async (c) =>
    c.body((await files()).css, 200, {
      'Content-Type': 'text/css; charset=utf-8',
      'Cache-Control': 'public, max-age=3600',
    }),
  );

  for (const path of DOCS_PATHS) {
    app.all(path, (c) => {
      throw new MethodNotAllowedError(`${c.req.method} is not allowed on ${path}; use GET or HEAD`, ['GET', 'HEAD']);
    });
  }
}
