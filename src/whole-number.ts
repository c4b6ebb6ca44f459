// The one check for a whole number within bounds, shared by the servers' settings (flags, environment,
// Workers' [vars]) and the tools' flags. No runtime module: Workers loads it too.

/** `text` as a whole number from min to max, or the message that names `name` (a flag or a variable). */
export function wholeNumber(name: string, text: string, [min, max]: readonly [number, number]): number | string {
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    return `${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(text)}`;
  }
  return Number(text);
}
