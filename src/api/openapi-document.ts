// GET /openapi.json: the OpenAPI 3.1 document of this server, as FastAPI serves its own. Built from the
// descriptions the server itself uses: POST /delay's parameters from the schema that validates them
// (../delay-params.ts), the answers from ./answers.ts, the limits from this server's settings.
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import { CPU_HEADROOM_MS, delayParamsSchema } from '../delay-params.ts';
import type { ErrorCode } from '../errors.ts';
import type { Mode } from '../runtime.ts';
import { delayAnswer, errorAnswer, healthAnswer, helloAnswer, infoAnswer } from './answers.ts';

export interface DocumentSettings {
  defaultMode: Mode;
  maxDelayMs: number;
  maxBodyBytes: number;
  /** The modes this server runs (GET /info's `modes`). */
  modes: readonly Mode[];
  /** Whether GET /lab is served (--lab). */
  labUi: boolean;
  /** Whether GET /docs is served (--docs). */
  docsUi: boolean;
  /** The Content-Type of GET /metrics. */
  metricsContentType: string;
  /** The CPU time the platform allows one request (Workers), which caps blocking work; absent: no cap. */
  cpuLimitMs?: number | undefined;
}

type JsonObject = Record<string, unknown>;

/** A valibot schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1, without its `$schema` line. */
function jsonSchema(schema: v.GenericSchema): JsonObject {
  const converted: JsonObject = { ...toJsonSchema(schema, { target: 'draft-2020-12' }) };
  delete converted.$schema;
  return converted;
}

const ref = (name: string): JsonObject => ({ $ref: `#/components/responses/${name}` });
const json = (description: string, schema: JsonObject): JsonObject => ({
  description,
  content: { 'application/json': { schema } },
});
const text = (description: string, type: string): JsonObject => ({
  description,
  content: { [type]: { schema: { type: 'string' } } },
});

/** Each error status with the codes it carries and the headers that come with it. */
const ERRORS: Record<string, { description: string; codes: [ErrorCode, ...ErrorCode[]]; headers?: JsonObject }> = {
  InvalidRequest: {
    description:
      'A parameter, the body or the query is not what the route takes; `message` names the field and says why. (FastAPI answers 422 with a list of fields; this server answers 400 with the first.)',
    codes: ['invalid_request'],
  },
  NotFound: { description: 'No route has this path.', codes: ['not_found'] },
  MethodNotAllowed: {
    description: 'The path exists, the method does not.',
    codes: ['method_not_allowed'],
    headers: { Allow: { description: 'The methods the path takes.', schema: { type: 'string' } } },
  },
  PayloadTooLarge: {
    description: 'The body is over the limit (GET /info `max_body_bytes`).',
    codes: ['payload_too_large'],
  },
  ModeUnsupported: { description: 'This runtime cannot run the mode asked for.', codes: ['mode_unsupported'] },
  Unavailable: {
    description:
      'The server refuses work it could not do in time (a full pool queue, a lagging event loop) or is shutting down.',
    codes: ['overloaded', 'shutting_down'],
    headers: {
      'Retry-After': {
        description: 'Seconds to wait before trying again.',
        schema: { type: 'string', pattern: '^\\d+$' },
      },
    },
  },
  InternalError: { description: 'The server failed; the error is in its log, never here.', codes: ['internal_error'] },
};

/** The answers every route can give besides its own: a draining server refuses any request. */
const COMMON = { '500': ref('InternalError'), '503': ref('Unavailable') };

export function openApiDocument(settings: DocumentSettings): JsonObject {
  const params = jsonSchema(delayParamsSchema({ mode: settings.defaultMode, maxDelayMs: settings.maxDelayMs }));
  const properties = params.properties as Record<string, JsonObject>;
  const delayParameters = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: false,
    description:
      name === 'mode'
        ? `${String(schema.description)} This server runs ${settings.modes.join(', ')}.`
        : schema.description,
    schema,
  }));
  const paths: Record<string, JsonObject> = {
    '/': {
      get: {
        operationId: 'hello',
        summary: 'Hello World, with the process that answered',
        responses: { '200': json('Hello', { $ref: '#/components/schemas/HelloAnswer' }), ...COMMON },
      },
    },
    '/delay': {
      post: {
        operationId: 'delay',
        summary: 'Run work for `ms` milliseconds in the way `mode` asks, and say when it ran',
        description: `Parameters in the query or in a JSON body, under the same names; a name given in both must have the same value there. This server runs ${settings.modes.join(', ')}; its default mode is ${settings.defaultMode} and the longest delay it takes is ${settings.maxDelayMs} ms${settings.cpuLimitMs === undefined ? '' : `, and with mode=blocking at most ${Math.max(0, settings.cpuLimitMs - CPU_HEADROOM_MS)} ms (the platform allows a request ${settings.cpuLimitMs} ms of CPU; above, 400)`}.`,
        parameters: delayParameters,
        requestBody: {
          required: false,
          description: `The same parameters as a JSON object; at most ${settings.maxBodyBytes} bytes.`,
          // Swagger UI's Try it out fills the body from `example`: an empty one leaves the query's fields in charge.
          content: { 'application/json': { schema: { $ref: '#/components/schemas/DelayParams' }, example: {} } },
        },
        responses: {
          '200': json('The work ran', { $ref: '#/components/schemas/DelayAnswer' }),
          '400': ref('InvalidRequest'),
          '413': ref('PayloadTooLarge'),
          '501': ref('ModeUnsupported'),
          ...COMMON,
        },
      },
    },
    '/health': {
      get: {
        operationId: 'health',
        summary: 'Liveness: answers while the process can answer at all',
        responses: { '200': json('Alive', { $ref: '#/components/schemas/HealthAnswer' }), ...COMMON },
      },
    },
    '/info': {
      get: {
        operationId: 'info',
        summary: 'The server: runtime, modes, limits, pool and processes',
        responses: { '200': json('The server', { $ref: '#/components/schemas/InfoAnswer' }), ...COMMON },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Counters and gauges in the Prometheus text format',
        responses: { '200': text('Prometheus exposition', settings.metricsContentType), ...COMMON },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openapi',
        summary: 'This document',
        responses: { '200': json('OpenAPI 3.1', { type: 'object' }), ...COMMON },
      },
    },
  };
  if (settings.docsUi)
    paths['/docs'] = {
      get: {
        operationId: 'docs',
        summary: 'This document as an interactive page (Swagger UI, served by this server)',
        responses: { '200': text('The page', 'text/html'), ...COMMON },
      },
    };
  if (settings.labUi)
    paths['/lab'] = {
      get: {
        operationId: 'lab',
        summary: 'The live lab: run the concurrency experiments from a browser',
        responses: { '200': text('The page', 'text/html'), ...COMMON },
      },
    };

  const responses: Record<string, JsonObject> = {};
  for (const [name, { description, codes, headers }] of Object.entries(ERRORS)) {
    responses[name] = { ...json(description, jsonSchema(errorAnswer(codes))), ...(headers ? { headers } : {}) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Concurrency Lab',
      version: '0.1.0',
      description:
        "The FastAPI concurrency guide, ported to one Hono app on Node, Bun, Deno and Cloudflare Workers. The limits below are this server's own settings. Unknown paths answer 404 and known paths 405 with `Allow` (components.responses NotFound and MethodNotAllowed).",
    },
    paths,
    components: {
      schemas: {
        DelayParams: params,
        DelayAnswer: jsonSchema(delayAnswer),
        HelloAnswer: jsonSchema(helloAnswer),
        HealthAnswer: jsonSchema(healthAnswer),
        InfoAnswer: jsonSchema(infoAnswer),
      },
      responses,
    },
  };
}
