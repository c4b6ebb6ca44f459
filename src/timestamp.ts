/**
 * Formats epoch milliseconds in the FastAPI guide's format, `YYYY-MM-DD HH:MM:SS.ffffff`, in UTC.
 * The fraction keeps the sub-millisecond digits the runtime's clock gave (performance.now()).
 */
export function formatTimestamp(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const micros = Math.min(999_999, Math.round((epochMs - Math.floor(wholeMs / 1000) * 1000) * 1000));
  const iso = new Date(wholeMs).toISOString(); // 2026-11-25T18:52:11.123Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(micros).padStart(6, '0')}`;
}

/** Parses a timestamp written by formatTimestamp back to epoch milliseconds (for clients and tests). */
export function parseTimestamp(text: string): number {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})$/.exec(text);
  if (!match) throw new Error(`not a timestamp in the form YYYY-MM-DD HH:MM:SS.ffffff: ${text}`);
  const seconds = Date.parse(`${match[1]}T${match[2]}Z`);
  return seconds + Number(match[3]) / 1000;
}
