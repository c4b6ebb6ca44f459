// Reading Linux's /proc/<pid>/stat lines (proc(5)). Pure functions: the bench's CPU figures rest on them.

/**
 * CPU seconds of a process's reaped children, from a /proc/<pid>/stat line: fields 16 and 17
 * (cutime, cstime) in clock ticks. The comm field may hold spaces and parentheses, so the fields
 * are counted from the last ')'.
 */
export function childCpuSeconds(statLine: string, ticksPerSecond: number): number | undefined {
  const fields = statFields(statLine);
  if (!fields) return undefined;
  return (Number(fields[16]) + Number(fields[17])) / ticksPerSecond;
}

/** utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in clock ticks: every thread of the process, live or exited. */
export function ownCpuTicks(statLine: string): number | undefined {
  const fields = statFields(statLine);
  if (!fields) return undefined;
  return Number(fields[14]) + Number(fields[15]);
}

/** The stat fields numbered as in proc(5) (1 = pid, 2 = comm, 3 = state …); undefined if malformed. */
function statFields(statLine: string): string[] | undefined {
  const close = statLine.lastIndexOf(')');
  const open = statLine.indexOf('(');
  if (close < 0 || open < 0) return undefined;
  const rest = statLine
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const fields = ['', statLine.slice(0, open).trim(), statLine.slice(open + 1, close), ...rest];
  if (fields.length < 18 || fields.slice(14, 18).some((f) => !/^\d+$/.test(f))) return undefined;
  return fields;
}
