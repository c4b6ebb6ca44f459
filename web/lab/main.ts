// The live lab page (GET /lab): reads /info, fills the form from the query string, and runs the
// experiment it describes, live. `npm run build:lab` bundles this into src/lab-ui/lab-assets.generated.ts.
import type { Mode, Work } from '../../src/runtime.ts';
import { ClockOffset, now } from './clock.ts';
import { runMode, type LiveRun } from './run.ts';
import {
  DEFAULTS,
  MAX_N,
  modesOf,
  parseSettings,
  settingsQuery,
  type LabSettings,
  type ModeChoice,
} from './settings.ts';
import { outcomeOf, renderSummary, type ServerInfo } from './summary.ts';
import { createPanel, shortId, unavailablePanel, type Panel } from './view.ts';

type Unavailable = Partial<Record<Mode, Partial<Record<Work, string>>>>;

const byId = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const form = byId<HTMLFormElement>('controls');
const status = byId<HTMLElement>('status');
const runsSection = byId<HTMLElement>('runs');
const stopButton = byId<HTMLButtonElement>('stop');
const share = byId<HTMLAnchorElement>('share');
const msInput = byId<HTMLInputElement>('ms');
const nInput = byId<HTMLInputElement>('n');
const healthInput = byId<HTMLInputElement>('health');
const refused = JSON.parse(document.body.dataset.unavailable ?? '{}') as Unavailable;
const clock = new ClockOffset();
const cores = navigator.hardwareConcurrency || 1;

let info: ServerInfo | undefined;
let running: AbortController | undefined;

/** Why the server refuses this combination, in its own words; undefined when it takes it. */
function refusal(mode: Mode, work: Work): string | undefined {
  const reason = refused[mode]?.[work];
  if (reason) return reason;
  if (info && !info.modes.includes(mode)) return `this server's /info lists only ${info.modes.join(' and ')}`;
  return undefined;
}

/** Over HTTP/1.1 a browser opens at most 6 connections to one server; over HTTP/2 and 3 one carries them all. */
function connections(): number {
  const navigation = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  return /^h[23]/.test(navigation?.nextHopProtocol ?? '') ? MAX_N + 2 : 6;
}

function readForm(submitter: HTMLElement | null): LabSettings {
  const data = new FormData(form);
  const mode = (submitter?.id === 'run-all' ? 'all' : String(data.get('mode') ?? DEFAULTS.mode)) as ModeChoice;
  const query = new URLSearchParams({
    mode,
    work: String(data.get('work') ?? 'sleep'),
    n: nInput.value,
    ms: msInput.value,
    health: healthInput.checked ? 'on' : 'off',
  });
  return parseSettings(query.toString(), info?.max_delay_ms ?? Number.MAX_SAFE_INTEGER).settings;
}

function showSettings(settings: LabSettings): void {
  const single = settings.mode === 'all' ? undefined : settings.mode;
  for (const input of form.querySelectorAll<HTMLInputElement>('input[name=mode]'))
    input.checked = input.value === (single ?? DEFAULTS.mode);
  for (const input of form.querySelectorAll<HTMLInputElement>('input[name=work]'))
    input.checked = input.value === settings.work;
  nInput.value = String(settings.n);
  msInput.value = String(settings.ms);
  healthInput.checked = settings.health;
  updateChoices();
  share.href = `/lab${settingsQuery(settings, { run: true })}`;
}

/** Marks the modes the server refuses for the chosen work, with its reason. */
function updateChoices(): void {
  const work = (form.querySelector<HTMLInputElement>('input[name=work]:checked')?.value ?? 'sleep') as Work;
  for (const input of form.querySelectorAll<HTMLInputElement>('input[name=mode]')) {
    const why = refusal(input.value as Mode, work);
    const note = byId<HTMLElement>(`why-${input.value}`);
    input.disabled = why !== undefined;
    if (why) input.setAttribute('aria-describedby', note.id);
    else input.removeAttribute('aria-describedby');
    note.textContent = why ? `unavailable: ${why}` : '';
  }
}

function describeServer(server: ServerInfo): string {
  const count = server.processes.count;
  // One process has no balancing to tell: "1 process", once.
  const processes =
    count === null
      ? `isolates as the platform decides (${server.processes.balancing})`
      : count === 1
        ? '1 process'
        : `${count} processes (${server.processes.balancing})`;
  return `${server.runtime} ${server.version} · ${processes} · ${cores} CPU ${cores === 1 ? 'core' : 'cores'} · this answer from ${shortId(server.worker_id)} · modes ${server.modes.join(', ')} · at most ${server.max_delay_ms} ms a request`;
}

async function start(settings: LabSettings): Promise<void> {
  if (!info || running) return;
  const server = info;
  running = new AbortController();
  const { signal } = running;
  form.classList.add('busy');
  for (const button of form.querySelectorAll<HTMLButtonElement>('button[type=submit]')) button.disabled = true;
  stopButton.disabled = false;
  runsSection.replaceChildren();
  status.classList.remove('warning');
  runsSection.classList.toggle('side-by-side', settings.mode === 'all');
  const done: string[] = [];
  /** Modes the server refuses, in its words: not a verdict, so said in the status line. */
  const unavailable: string[] = [];
  try {
    for (const mode of modesOf(settings.mode)) {
      if (signal.aborted) break;
      const title = `${mode} · ${settings.n} × ${settings.ms} ms ${settings.work}`;
      const why = refusal(mode, settings.work);
      if (why) {
        runsSection.append(unavailablePanel(title, why, mode));
        unavailable.push(`${mode} is unavailable here: ${why}.`);
        continue;
      }
      status.textContent = `Running ${title}…`;
      const panel = createPanel(title, mode, settings.n, clock);
      runsSection.append(panel.root);
      const run = await animate(panel, (onChange) =>
        runMode({
          mode,
          work: settings.work,
          n: settings.n,
          ms: settings.ms,
          probing: settings.health,
          connections: connections(),
          budgetMs: settings.n * settings.ms + 10_000,
          clock,
          signal,
          onChange,
        }),
      );
      const outcome = outcomeOf(run, server, clock, cores);
      const summary = panel.root.querySelector<HTMLElement>('.summary')!;
      renderSummary(summary, run, server, outcome, clock);
      done.push(mode);
    }
    // The verdict is under each timeline, once; the status line only says what ran.
    status.textContent = signal.aborted
      ? ''
      : [
          ...(done.length
            ? [
                `Done: ${done.join(', ')}. The verdict is under ${done.length === 1 ? 'the timeline' : 'each timeline'}.`,
              ]
            : []),
          ...unavailable,
        ].join(' ');
  } catch (error) {
    status.textContent = `The run failed: ${(error as Error).message}`;
  } finally {
    running = undefined;
    form.classList.remove('busy');
    for (const button of form.querySelectorAll<HTMLButtonElement>('button[type=submit]')) button.disabled = false;
    stopButton.disabled = true;
    if (signal.aborted) status.textContent = `Stopped${done.length ? ` after ${done.join(', ')}` : ''}.`;
  }
}

/** Redraws the panel once a frame while the run lasts (waiting bars grow with time), and once at the end. */
async function animate(panel: Panel, body: (onChange: (run: LiveRun) => void) => Promise<LiveRun>): Promise<LiveRun> {
  let current: LiveRun | undefined;
  let frame: number;
  const tick = (): void => {
    if (current) panel.update(current, now());
    frame = requestAnimationFrame(tick);
  };
  frame = requestAnimationFrame(tick);
  try {
    current = await body((run) => (current = run));
  } finally {
    cancelAnimationFrame(frame);
  }
  panel.update(current, now());
  return current;
}

form.addEventListener('change', (event) => {
  if ((event.target as HTMLInputElement).name === 'work') updateChoices();
  if (!running) {
    const settings = readForm(null);
    share.href = `/lab${settingsQuery(settings, { run: true })}`;
  }
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  const settings = readForm(event.submitter);
  history.replaceState(null, '', `/lab${settingsQuery(settings, { run: false })}`);
  share.href = `/lab${settingsQuery(settings, { run: true })}`;
  void start(settings);
});

stopButton.addEventListener('click', () => running?.abort());

async function boot(): Promise<void> {
  try {
    const response = await fetch('/info', { cache: 'no-store' });
    info = (await response.json()) as ServerInfo;
  } catch (error) {
    status.textContent = `Cannot read /info: ${(error as Error).message}`;
    return;
  }
  byId<HTMLElement>('server').textContent = describeServer(info);
  msInput.max = String(info.max_delay_ms);
  byId<HTMLElement>('ms-hint').textContent = `0 to ${info.max_delay_ms} (this server's --max-delay-ms).`;
  const { settings, problems } = parseSettings(location.search, info.max_delay_ms);
  showSettings(settings);
  document.body.dataset.ready = '1';
  if (problems.length) {
    // A link with a bad value runs nothing: running the defaults instead would answer a question
    // nobody asked, and the warning would be gone the moment the run began.
    status.textContent = `Ignored from the link: ${problems.join('; ')}.${settings.run ? ' Nothing was run: check the settings shown and press Run.' : ''}`;
    status.classList.add('warning');
    return;
  }
  if (settings.run) await start(settings);
}

void boot();
