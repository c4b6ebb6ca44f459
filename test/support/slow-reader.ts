// A client that takes a server's answers more slowly than the server sends them, so that the bytes
// pile up in the buffers between them and every hop must wait for the next one (backpressure).
import { connect } from 'node:net';
import { parseResponse, type RawResponse } from '../../tools/harness/raw-connection.ts';

/**
 * Between two reads: the reader takes one chunk (at most 64 KiB on Node), so it takes at most some
 * 6 MB a second, far less than a carrier on loopback sends, which thus runs ahead until the kernel's
 * buffers are full. (With 1 ms, a fast reader, the carrier on Node was seen never to be told to wait.)
 */
const PAUSE_BETWEEN_READS_MS = 10;

/**
 * Sends `first`, then, once its answer's head has arrived, `rest` on the same connection (the last of
 * them asking for `Connection: close`), reading one chunk at a time with a pause after each; resolves
 * with every byte received once the server has closed (parseAnswers reads the answers in them). `rest` waits for the first head so that the answer is
 * ready when they come: Bun closes a connection on a request that arrives behind a pending answer
 * (docs/reliability.md, Pipelining), and the first answer may wait on reading a file.
 */
export function readBytesSlowly(port: number, first: Buffer, rest: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let received = Buffer.alloc(0);
    let restSent = false;
    socket.on('error', reject);
    socket.write(first);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!restSent) {
        received = Buffer.concat([received, chunk]);
        if (received.includes('\r\n\r\n')) {
          restSent = true;
          socket.write(rest);
        }
      }
      socket.pause();
      setTimeout(() => socket.resume(), PAUSE_BETWEEN_READS_MS);
    });
    socket.on('end', () => {
      socket.destroy();
      resolve(Buffer.concat(chunks));
    });
  });
}

/**
 * Every whole answer at the start of `data`, in order, and the bytes after the last of them that are
 * not one (`cut`: none when the data ended on an answer's end; else an answer cut short, or bytes that
 * were lost or repeated).
 */
export function parseAnswers(data: Buffer): { answers: RawResponse[]; cut: Buffer } {
  const answers: RawResponse[] = [];
  let rest = data;
  while (rest.length > 0) {
    let parsed: ReturnType<typeof parseResponse>;
    try {
      parsed = parseResponse(rest, false, true);
    } catch {
      // Not an answer's head where one should start.
      parsed = undefined;
    }
    if (!parsed) break;
    answers.push(parsed.response);
    rest = rest.subarray(parsed.consumed);
  }
  return { answers, cut: rest };
}
