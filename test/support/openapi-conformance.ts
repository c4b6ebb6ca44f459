// Checks an answer against the server's own GET /openapi.json: the schema of that route, method and
// status, its media type and documented headers. A path the document lacks must be a 404 and a method
// it lacks a 405 (components.responses NotFound and MethodNotAllowed), as the document says.
// The document's schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect): checked with Ajv's 2020 build.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { request, type HttpResponse } from '../../tools/harness/http-client.ts';

type Json = Record<string, unknown>;
interface ResponseObject {
  $ref?: string;
  content?: Record<string, { schema?: Json }>;
  headers?: Record<string, { schema?: Json }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  components: { responses: Record<string, ResponseObject> };
}

const pointer = (...parts: string[]): string =>
  parts.map((part) => `/${encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1'))}`).join('');
const baseType = (type: string): string => type.split(';')[0]!.trim().toLowerCase();

export class ApiDocument {
  readonly #document: Document;
  readonly #ajv = new Ajv2020({ strict: false, allErrors: true });

  constructor(document: unknown) {
    this.#document = document as Document;
    this.#ajv.addSchema(document as Json, 'openapi.json');
  }

  /** Every way `response` departs from the document; empty when it conforms. */
  check(method: string, url: string, response: HttpResponse): string[] {
    const path = new URL(url).pathname;
    const item = Object.hasOwn(this.#document.paths, path) ? this.#document.paths[path] : undefined;
    // HEAD is GET without the body.
    const verb = method === 'HEAD' ? 'get' : method.toLowerCase();
    const operation = item && Object.hasOwn(item, verb) ? item[verb] : undefined;
    const where = `${method} ${path} → ${response.status}`;
    let found: { answer: ResponseObject; at: string } | undefined;
    if (operation) {
      const status = String(response.status);
      const answer = operation.responses[status];
      if (answer) found = { answer, at: pointer('paths', path, verb, 'responses', status) };
    } else {
      const name = item ? 'MethodNotAllowed' : 'NotFound';
      const expected = item ? 405 : 404;
      if (response.status === expected)
        found = { answer: this.#document.components.responses[name]!, at: pointer('components', 'responses', name) };
    }
    if (!found) return [`${where}: the document has no such answer`];
    let { answer, at } = found;
    if (answer.$ref) {
      at = answer.$ref.slice(1);
      answer = this.#document.components.responses[answer.$ref.split('/').pop()!]!;
    }

    const problems: string[] = [];
    for (const [name, header] of Object.entries(answer.headers ?? {})) {
      const value = response.headers[name.toLowerCase()];
      if (typeof value !== 'string') problems.push(`${where}: no ${name} header`);
      else if (header.schema && !this.#validate(`${at}${pointer('headers', name, 'schema')}`, value))
        problems.push(`${where}: ${name}: ${JSON.stringify(value)} is not what the document says`);
    }
    if (method === 'HEAD' || !answer.content) return problems;

    const type = String(response.headers['content-type'] ?? '');
    const mediaType = Object.keys(answer.content).find((key) => baseType(key) === baseType(type));
    if (mediaType === undefined) return [...problems, `${where}: Content-Type ${type} is not documented`];
    const body = baseType(type) === 'application/json' ? response.json : response.text;
    const errors = this.#errors(`${at}${pointer('content', mediaType, 'schema')}`, body);
    return [...problems, ...errors.map((error) => `${where}: body${error}`)];
  }

  #validate(at: string, value: unknown): boolean {
    return this.#errors(at, value).length === 0;
  }

  #errors(at: string, value: unknown): string[] {
    const validate = this.#ajv.getSchema(`openapi.json#${at}`);
    if (!validate) return [`: no schema at ${at}`];
    if (validate(value)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message ?? ''}`);
  }
}

const documents = new Map<string, Promise<ApiDocument>>();

/** The document of the server at `url`'s origin, fetched once. */
export function documentFor(url: string): Promise<ApiDocument> {
  const origin = new URL(url).origin;
  let document = documents.get(origin);
  if (!document) {
    document = request(`${origin}/openapi.json`).then((response) => {
      if (response.status !== 200) throw new Error(`GET ${origin}/openapi.json answered ${response.status}`);
      return new ApiDocument(response.json);
    });
    documents.set(origin, document);
  }
  return document;
}

/** Throws, naming each difference, unless `response` is what the server's document says it answers. */
export async function assertConforms(method: string, url: string, response: HttpResponse): Promise<HttpResponse> {
  const problems = (await documentFor(url)).check(method, url, response);
  if (problems.length > 0) throw new Error(`the answer departs from /openapi.json:\n${problems.join('\n')}`);
  return response;
}
