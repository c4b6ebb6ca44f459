/**
 * Formats epoch milliseconds in the FastAPI guide's format, `YYYY-MM-DD HH:MM:SS.ffffff`, in UTC.
 * The fraction keeps the sub-millisecond digits the runtime's clock gave (performance.now()).
 */
export function formatTimestamp(epochMs: number): string {
  const second = Math.floor(Math.floor(epochMs) / 1000);
  const micros = Math.min(999_999, Math.round((epochMs - second * 1000) * 1000));
  // The date and time to the second change once a second: built then, not for every timestamp (a
  // Date and its ISO string were the largest single cost of `POST /delay` on Deno, docs/performance.md).
  if (second !== lastSecond) {
    const iso = new Date(second * 1000).toISOString(); // 2026-11-25T18:52:11.000Z
    lastPrefix = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.`;
    lastSecond = second;
  }
  return `${lastPrefix}${String(micros).padStart(6, '0')}`;
}
let lastSecond = Number.NaN;
let lastPrefix = '';

/** Parses a timestamp written by formatTimestamp back to epoch milliseconds (for clients and tests). */
export function parseTimestamp(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})$/.exec(text);
  if (!match) throw new Error(`not a timestamp in the form YYYY-MM-DD HH:MM:SS.ffffff: ${text}`);
  const seconds = Date.parse(`${match[1]}T${match[2]}Z`);
  return seconds + Number(match[3]) / 1000;
}
