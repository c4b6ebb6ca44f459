// Terminal colours only where they will be seen as colours: a TTY, and no NO_COLOR (no-color.org).
import { styleText } from 'node:util';

export type Colour = Parameters<typeof styleText>[0];
export type Paint = (colour: Colour, text: string) => string;

export function wantsColour(stream: { isTTY?: boolean }, env: Record<string, string | undefined>): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

export function painter(enabled: boolean): Paint {
  // The decision is ours (wantsColour): styleText would otherwise check process.stdout itself.
  return enabled ? (colour, text) => styleText(colour, text, { validateStream: false }) : (_colour, text) => text;
}

/** One colour a worker, in order of first appearance; cycles past six. */
export const WORKER_COLOURS: Colour[] = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red'];
