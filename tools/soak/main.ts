// `npm run soak`: see soakHelpText in options.ts. Prints a summary table; exits 1 if a soak failed.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { unavailableReason } from '../lab/availability.ts';
import { painter, wantsColour } from '../lab/colour.ts';
import { RUNTIMES } from '../harness/runtimes.ts';
import { stopAllServers } from '../harness/server-process.ts';
import { parseSoakOptions } from './options.ts';
import { renderSoakSummary } from './render.ts';
import { soak, type SoakResult } from './run-soak.ts';
import { exitOnHelpOrError } from '../../src/cli.ts';

const argv = process.argv.slice(2);
const { options } = exitOnHelpOrError(parseSoakOptions(argv, Object.keys(RUNTIMES)), process.exit);
const paint = painter(wantsColour(process.stdout, process.env));
const live = process.stderr.isTTY === true;
const progress = (text: string) => process.stderr.write(live ? `\r\x1b[K${text}` : `${text}\n`);

// The servers run in their own process groups: a Ctrl-C does not reach them, so stop them here.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the servers\n`);
    void stopAllServers().finally(() => process.exit(130));
  });
}

const results: SoakResult[] = [];
const unavailable: string[] = [];
try {
  if (options.url !== undefined) {
    results.push(
      await soak(
        { url: options.url, ...(options.pid !== undefined ? { pid: options.pid } : {}) },
        options.settings,
        progress,
      ),
    );
  }
  for (const name of options.runtimes) {
    const runtime = RUNTIMES[name]!;
    const missing = unavailableReason(runtime);
    if (missing) {
      unavailable.push(`${name}: not available: ${missing}`);
      continue;
    }
    results.push(await soak({ runtime }, options.settings, (text) => progress(`${name}: ${text}`)));
  }
  if (live) process.stderr.write('\r\x1b[K');
  process.stdout.write(`\n${renderSoakSummary(results, paint)}\n`);
  for (const line of unavailable) process.stdout.write(`${paint('yellow', line)}\n`);
  if (options.json !== undefined) {
    const file = resolve(options.json);
    await writeFile(
      file,
      `${JSON.stringify({ createdAt: new Date().toISOString(), command: `npm run soak -- ${argv.join(' ')}`.trim(), results, unavailable }, null, 2)}\n`,
    );
    process.stdout.write(`\nResults: ${file}\n`);
  }
  if (results.length === 0 || results.some((result) => result.failures.length > 0)) process.exitCode = 1;
} catch (error) {
  process.stderr.write(`\nerror: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await stopAllServers();
}
