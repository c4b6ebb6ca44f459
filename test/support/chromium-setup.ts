// Vitest's global setup: decides once which Chromium the browser suites use, names it once in the
// test output, and hands the decision to every test process (tools/harness/chromium.ts).
import { decideChromiumForChildren } from '../../tools/harness/chromium.ts';

export default async function setup(): Promise<void> {
  console.log(`::: ${await decideChromiumForChildren()}`);
}
