// work=cpu is a fixed amount of computation (src/cpu-work.js), not "spin until ms have passed":
// CPU work that shares a core takes longer, as real CPU-bound work does. Judged from what the
// server reports (its intervals and the CPU time of each task), as ratios to `ms`, never from how
// long the test waited.
import { availableParallelism } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { post, type HttpResponse } from '../../tools/harness/http-client.ts';
import { stopAllServers } from '../../tools/harness/server-process.ts';
import { runtimeUnderTest } from '../../tools/harness/runtimes.ts';
import { startRuntime, type StartedServer } from '../../tools/harness/start-runtime.ts';
import { describeIf, itIf } from '../support/conditional.ts';
import { toInterval } from '../support/intervals.ts';

const runtime = runtimeUnderTest();
/** The servers run on this machine (loopback): its cores are theirs. */
const cores = availableParallelism();
/**
 * The coarsest thread CPU clock among the runtimes: Deno counts whole 10 ms ticks, user and system
 * time each (`process.threadCpuUsage()` gives e.g. 60000 and 10000 µs), so a task's CPU time, the
 * difference of two such sums, may read up to two ticks above its interval (210 ms in a 197 ms one
 * was seen).
 */
const CPU_CLOCK_SLACK_MS = 2 * 10;

afterAll(stopAllServers);

interface Answer {
  start: number;
  end: number;
  cpuMs: number | null;
}

function answersOf(responses: HttpResponse[]): Answer[] {
  return responses.map((response) => {
    expect(response.status, response.text).toBe(200);
    const { start, end } = toInterval(response.json);
    return { start, end, cpuMs: (response.json as { cpu_ms: number | null }).cpu_ms };
  });
}

function fire(url: string, count: number, query: string): Promise<HttpResponse[]> {
  return Promise.all(Array.from({ length: count }, () => post(`${url}/delay?${query}`)));
}

describe(`cpu_ms on ${runtime.name}`, () => {
  let server: StartedServer;
  beforeAll(async () => {
    server = await startRuntime(runtime);
  });

  it('an async wait has no CPU time of its own: cpu_ms is null', async () => {
    const [answer] = answersOf(await fire(server.url, 1, 'mode=async&ms=20'));
    expect(answer!.cpuMs).toBeNull();
  });

  itIf(runtime.reportsCpuTime)(
    'blocking work says the CPU it took: about ms for cpu work, next to none for sleep',
    async () => {
      const [cpu] = answersOf(await fire(server.url, 1, 'mode=blocking&work=cpu&ms=200'));
      const [sleep] = answersOf(await fire(server.url, 1, 'mode=blocking&work=sleep&ms=200'));
      // The CPU time lies within the interval the work ran in.
      expect(cpu!.cpuMs!).toBeLessThanOrEqual(cpu!.end - cpu!.start + CPU_CLOCK_SLACK_MS);
      // A fixed amount of work sized for 200 ms of one core: whatever else runs, it needs about that much CPU.
      expect(cpu!.cpuMs! / 200).toBeGreaterThan(0.5);
      expect(cpu!.cpuMs! / 200).toBeLessThan(2);
      // An idle wait holds the thread, not the CPU.
      expect(sleep!.cpuMs! / 200).toBeLessThan(0.25);
    },
  );

  itIf(!runtime.reportsCpuTime)('cpu_ms is null where the runtime has no thread CPU clock', async () => {
    const [answer] = answersOf(await fire(server.url, 1, 'mode=blocking&work=cpu&ms=20'));
    expect(answer!.cpuMs).toBeNull();
  });
});

describeIf(runtime.hasPool && runtime.reportsCpuTime)(`CPU work on more threads than cores, ${runtime.name}`, () => {
  // Three tasks a core, each on its own thread: together they need three times the cores' time.
  const tasks = 3 * cores;
  const ms = 300;

  it('each task still takes its ms of CPU, so the intervals stretch to share the cores', async () => {
    const server = await startRuntime(runtime, { poolThreads: tasks });
    // Start every thread first, so that the CPU tasks below run side by side rather than wait for thread starts.
    answersOf(await fire(server.url, tasks, 'mode=pool&ms=300'));
    const answers = answersOf(await fire(server.url, tasks, `mode=pool&work=cpu&ms=${ms}`));
    for (const { start, end, cpuMs } of answers) {
      // The same amount of computation as alone: a share of a core does not shrink the work
      // (spinning until `ms` had passed would give each about cores ÷ tasks = 1/3 of ms).
      expect(cpuMs! / ms).toBeGreaterThan(0.5);
      expect(cpuMs!).toBeLessThanOrEqual(end - start + CPU_CLOCK_SLACK_MS);
    }
    // No more CPU than the cores have: the batch lasted at least its CPU time spread over every core,
    // about `tasks ÷ cores` × ms, three times what one task alone would take.
    const makespan = Math.max(...answers.map((a) => a.end)) - Math.min(...answers.map((a) => a.start));
    const totalCpu = answers.reduce((sum, a) => sum + a.cpuMs!, 0);
    expect(makespan).toBeGreaterThanOrEqual(totalCpu / cores - CPU_CLOCK_SLACK_MS * tasks);
    expect(makespan / ms).toBeGreaterThan((tasks / cores) * 0.5);
    await server.process.stop();
  });
});
