// What each route answers, described once: the handlers in app.ts build their JSON to these types,
// and /openapi.json (./openapi-document.ts) publishes them as schemas, which the contract suite
// checks every answer against on every runtime. Strict objects: a field added to an answer and not
// here fails the suite rather than going undocumented.
import * as v from 'valibot';
import type { ErrorCode } from '../errors.ts';
import { MODES, WORKS, type RuntimeName } from '../runtime.ts';

const RUNTIME_NAMES: readonly RuntimeName[] = ['node', 'bun', 'deno', 'workerd'];

const runtimeName = v.pipe(v.picklist(RUNTIME_NAMES), v.description('The runtime that served the request.'));
const workerId = v.pipe(
  v.union([v.pipe(v.number(), v.integer()), v.string()]),
  v.description("The process that answered (its pid; the isolate's id on Workers), as FastAPI's guide reports."),
);
const wholeNumber = v.pipe(v.number(), v.integer(), v.minValue(0));
const timestamp = v.pipe(
  v.string(),
  v.regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/),
  v.description('UTC, with microseconds: YYYY-MM-DD HH:MM:SS.ffffff'),
);

export const helloAnswer = v.strictObject({
  message: v.literal('Hello World'),
  worker_id: workerId,
  runtime: runtimeName,
});

export const healthAnswer = v.strictObject({ status: v.literal('ok') });

const processEntry = v.strictObject({ pid: wholeNumber, uptime_seconds: v.number(), requests_served: wholeNumber });

export const infoAnswer = v.strictObject({
  runtime: runtimeName,
  version: v.string(),
  worker_id: workerId,
  modes: v.pipe(v.array(v.picklist(MODES)), v.description('The modes POST /delay runs on this server.')),
  default_mode: v.picklist(MODES),
  max_delay_ms: wholeNumber,
  max_body_bytes: wholeNumber,
  pool: v.pipe(
    v.nullable(v.strictObject({ min_threads: wholeNumber, max_threads: wholeNumber, max_queue: wholeNumber })),
    v.description('The thread pool of mode=pool; null where the runtime has none (Workers).'),
  ),
  processes: v.object({
    count: v.pipe(
      v.nullable(wholeNumber),
      v.description('Processes serving the port; null where the platform decides (Workers).'),
    ),
    balancing: v.string(),
    // Under --workers, what the supervisor reports of every process.
    supervisor: v.optional(
      v.nullable(
        v.strictObject({
          pid: wholeNumber,
          uptime_seconds: v.number(),
          restarts: wholeNumber,
          gave_up: v.boolean(),
        }),
      ),
    ),
    list: v.optional(v.array(processEntry)),
    missing: v.optional(v.array(v.union([wholeNumber, v.literal('supervisor')]))),
  }),
});

export const delayAnswer = v.strictObject({
  message: v.pipe(v.string(), v.description('As the FastAPI guide words it: "Response after N seconds delay".')),
  mode: v.picklist(MODES),
  work: v.picklist(WORKS),
  ms: wholeNumber,
  runtime: runtimeName,
  worker_id: workerId,
  thread_id: v.pipe(wholeNumber, v.description("0 for the event loop's thread; the pool thread's id in mode=pool.")),
  start_time: timestamp,
  end_time: timestamp,
});

/** `{ error, message }`, the one shape of every error, with the codes a given status can carry. */
export function errorAnswer(codes: readonly [ErrorCode, ...ErrorCode[]]) {
  return v.strictObject({
    error: v.pipe(v.picklist(codes), v.description('A stable code, for programs.')),
    message: v.pipe(v.string(), v.description('What went wrong, in words: for a 400, which field and why.')),
  });
}

export type HelloAnswer = v.InferOutput<typeof helloAnswer>;
export type HealthAnswer = v.InferOutput<typeof healthAnswer>;
export type InfoAnswer = v.InferOutput<typeof infoAnswer>;
export type DelayAnswer = v.InferOutput<typeof delayAnswer>;
