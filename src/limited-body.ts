// Reads a request body that no header gives the length of (chunked, HTTP/2), counting its bytes as
// they arrive and giving up past the limit, so that a body too large is never held whole.
//
// Not Hono's bodyLimit middleware, which does the same count but then copies the whole web Request
// around the bytes it read (`new Request(c.req.raw, { body })`) for the handler to read them again:
// on Deno, where every POST has a body stream, that copy and second read were a fifth of the CPU of
// `POST /delay` (docs/performance.md).

const decoder = new TextDecoder();

/** The body as UTF-8 text ('' when there is none), or undefined once it is past `maxBytes`. */
export async function readLimitedText(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<string | undefined> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    // Deno hands a POST with no body one empty chunk: nothing to count, keep or decode.
    if (value.byteLength === 0) continue;
    size += value.byteLength;
    // Past the limit: the rest is not read (the runtime's listen decides what becomes of the connection).
    if (size > maxBytes) return undefined;
    chunks.push(value);
  }
  if (chunks.length <= 1) return chunks.length === 0 ? '' : decoder.decode(chunks[0]);
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return decoder.decode(whole);
}
