import { describe, expect, it } from 'vitest';
import { readLimitedText } from './limited-body.ts';

/** A body stream that delivers these chunks, then ends. */
function arriving(...chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

describe('a body read up to a limit, as it arrives', () => {
  it('no body, or an empty one, is the empty text', async () => {
    expect(await readLimitedText(null, 16)).toBe('');
    expect(await readLimitedText(arriving(), 16)).toBe('');
    // As Deno gives a POST with no body: one chunk of no bytes.
    expect(await readLimitedText(arriving(new Uint8Array(0)), 16)).toBe('');
  });

  it('empty chunks between others change nothing', async () => {
    expect(await readLimitedText(arriving('{"ms":', new Uint8Array(0), '1}'), 16)).toBe('{"ms":1}');
  });

  it('exactly the limit is read whole, across chunks; one byte more is refused', async () => {
    expect(await readLimitedText(arriving('x'.repeat(10), 'y'.repeat(6)), 16)).toBe(
      `${'x'.repeat(10)}${'y'.repeat(6)}`,
    );
    expect(await readLimitedText(arriving('x'.repeat(10), 'y'.repeat(7)), 16)).toBeUndefined();
    expect(await readLimitedText(arriving('x'.repeat(17)), 16)).toBeUndefined();
  });

  it('a character split between two chunks is decoded whole', async () => {
    const euro = new TextEncoder().encode('{"a":"€"}');
    expect(await readLimitedText(arriving(euro.subarray(0, 7), euro.subarray(7)), 64)).toBe('{"a":"€"}');
  });

  it('a stream that fails (the client left) rejects, for the app to answer 499', async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([123]));
        controller.error(new Error('aborted'));
      },
    });
    await expect(readLimitedText(broken, 16)).rejects.toThrow('aborted');
  });
});
