// The Workers entry (wrangler.toml `main`): `npm run dev:workers`, `npx wrangler deploy`.
// The app is built on the first request, because the settings arrive with it (`env`, from
// [vars]) and because Workers forbid random values and timers at global scope.
import { createApp } from '../../src/app.ts';
import { errorBody } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { CalibratedSpin } from './calibrated-spin.ts';
import { parseWorkersConfig } from './cloudflare-config.ts';
import { createWorkersRuntime } from './cloudflare-runtime.ts';
import { bundledSwaggerUiFiles } from './swagger-ui-files.ts';

/** One per isolate: the calibration and the app live as long as the isolate does. */
const spin = new CalibratedSpin({ now: () => performance.now(), nextEvent: () => scheduler.wait(0) });
let app: ReturnType<typeof createApp> | undefined;
let configError: string | undefined;

function appFor(env: Record<string, unknown>): ReturnType<typeof createApp> | undefined {
  if (app || configError) return app;
  const parsed = parseWorkersConfig(env);
  if (!parsed.ok) {
    // A bad var is reported on every request (a JSON 500 naming the var) and once in the log:
    // a Worker has no startup step that could refuse to start, and `wrangler deploy` does not run
    // request code, so the answer is the loudest place that both wrangler dev and production share.
    configError = parsed.message;
    console.error(`Concurrency Lab: invalid configuration: ${configError}`);
    return undefined;
  }
  const { mode, maxDelayMs, log, labUi, docsUi, cpuLimitMs } = parsed.config;
  const runtime = createWorkersRuntime(spin);
  app = createApp({
    runtime,
    defaultMode: mode,
    maxDelayMs,
    logger: createLogger({ format: log, now: runtime.now }),
    labUi,
    cpuLimitMs,
    ...(docsUi ? { docs: bundledSwaggerUiFiles } : {}),
  });
  return app;
}

export default {
  async fetch(request: Request, env: Record<string, unknown>, ctx: ExecutionContext): Promise<Response> {
    const served = appFor(env);
    if (!served) {
      return Response.json(
        errorBody('internal_error', `the Worker is misconfigured: ${configError}; fix [vars] in wrangler.toml`),
        {
          status: 500,
        },
      );
    }
    // Blocking work needs the calibration, which needs an event boundary, which a synchronous
    // block() cannot wait for: so it runs before the first POST (only POST /delay can block),
    // once per isolate.
    if (request.method === 'POST' && !spin.calibrated) await spin.calibrate();
    return served.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Record<string, unknown>>;
