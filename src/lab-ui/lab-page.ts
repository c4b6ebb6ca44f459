// The live lab's HTML: a form whose query string is the experiment (so that a link shares it), and
// the places the script (web/lab/, served as /lab/app.js) draws into. Values from the server are
// escaped by hono/html. Nothing inline runs or styles: the CSP allows this origin's files only.
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Mode, RuntimeName, Work } from '../runtime.ts';

/** Mode × work combinations the server refuses, with its own words (what POST /delay would answer). */
export type Unavailable = Partial<Record<Mode, Partial<Record<Work, string>>>>;

export interface PageData {
  runtime: RuntimeName;
  unavailable: Unavailable;
}

const MODE_HINTS: Record<Mode, string> = {
  blocking: 'the work holds the event loop',
  async: 'a timer: the loop stays free',
  pool: 'the work runs on a pool thread',
};

export function renderLabPage({ runtime, unavailable }: PageData): HtmlEscapedString | Promise<HtmlEscapedString> {
  const modeChoice = (mode: Mode) => {
    // Refused whatever the work: shown so from the start; refused for one work: the script says when.
    const always =
      unavailable[mode]?.sleep !== undefined && unavailable[mode]?.cpu !== undefined
        ? unavailable[mode]?.sleep
        : undefined;
    return html`<label class="choice"><input type="radio" name="mode" value="${mode}"${always ? html` disabled aria-describedby="why-${mode}"` : ''}> <b>${mode}</b> <small>${MODE_HINTS[mode]}</small><small class="why" id="why-${mode}">${always ? `unavailable: ${always}` : ''}</small></label>`;
  };
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Live lab · Concurrency Lab</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/lab/app.css">
<script type="module" src="/lab/app.js"></script>
</head>
<body data-runtime="${runtime}" data-unavailable="${JSON.stringify(unavailable)}">
<header>
<h1>Concurrency Lab <span>live</span></h1>
<p id="server" aria-live="polite">Reading <code>/info</code>…</p>
</header>
<main>
<form id="controls" action="/lab" method="get">
<fieldset id="modes"><legend>Mode</legend>
${(['blocking', 'async', 'pool'] as const).map(modeChoice)}
</fieldset>
<fieldset id="works"><legend>Work</legend>
<label class="choice"><input type="radio" name="work" value="sleep" checked> <b>sleep</b> <small>an idle wait</small></label>
<label class="choice"><input type="radio" name="work" value="cpu"> <b>cpu</b> <small>computation that burns CPU</small></label>
</fieldset>
<fieldset id="sizes"><legend>Requests</legend>
<label for="n">Requests at once</label>
<input id="n" name="n" type="number" inputmode="numeric" min="1" max="100" step="1" value="4" required aria-describedby="n-hint">
<small id="n-hint" class="hint">1 to 100.</small>
<label for="ms">Milliseconds each</label>
<input id="ms" name="ms" type="number" inputmode="numeric" min="0" step="1" value="1000" required aria-describedby="ms-hint">
<small id="ms-hint" class="hint"></small>
<label class="check"><input id="health" name="health" type="checkbox" value="on" checked> Probe <code>/health</code> meanwhile</label>
</fieldset>
<div class="buttons">
<button type="submit" id="run">Run</button>
<button type="submit" id="run-all" name="mode" value="all">Run every mode</button>
<button type="button" id="stop" disabled>Stop</button>
<a id="share" href="/lab">Link to this experiment</a>
</div>
</form>
<p id="status" role="status" aria-live="polite"><noscript>The live lab needs JavaScript; <code>npm run lab</code> runs the same experiments in a terminal.</noscript></p>
<section id="runs" aria-label="Runs"></section>
<details id="legend" open>
<summary>How to read it</summary>
<p>A row is a request, sent at 0 ms. <span class="key held"></span> waiting in the browser for a connection, <span class="key wait"></span> sent and waiting, <span class="key work w0"></span> its work running: from the server's event when it started, then the server's own <code>start_time</code> → <code>end_time</code> once answered, in the colour of the process that ran it, labelled <em>process · thread</em>.</p>
<p><b>/health</b>: a mark when each probe was sent, <span class="key probe h0"></span> answered within 10 ms, <span class="key probe h1"></span> within 50 ms, <span class="key probe h2"></span> within 250 ms, <span class="key probe h3"></span> slower or never. <b>events</b>: the server's event stream, <span class="key alive"></span> a heartbeat every 100 ms, <span class="key gap"></span> silence: the stream stalled (a loop held by blocking work cannot write).</p>
<p>A browser opens at most 6 connections to one server over HTTP/1.1; the event stream and the probes take one each, so the page sends at most 4 requests at once there and the rest wait in the browser. <code>npm run lab</code> has no such limit.</p>
</details>
</main>
</body>
</html>
`;
}
