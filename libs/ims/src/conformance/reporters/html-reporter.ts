/**
 * A self-contained HTML report (no external asset: styles, SVG and script are inline): the
 * run's target and totals, a summary table, and per case its clauses, checks, outcome and a
 * SIP ladder diagram. Clicking an arrow (or Enter on it) shows that message in full.
 */
import { CaseResult, SuiteRun } from '../conformance-types';
import { escapeHtml } from './escape';
import { renderLadderSvg } from './ladder-svg';

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#f6f8fa}
header{background:#24292f;color:#fff;padding:16px 24px}
header h1{margin:0 0 4px;font-size:20px}
header p{margin:2px 0;color:#d0d7de}
main{padding:16px 24px}
.totals span{display:inline-block;margin-right:12px;font-weight:600}
table.summary{border-collapse:collapse;background:#fff;margin:12px 0 24px;min-width:60%}
table.summary th,table.summary td{border:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
table.summary th{background:#eaeef2}
.badge{display:inline-block;min-width:52px;text-align:center;border-radius:4px;padding:1px 6px;font-weight:700;font-size:12px;color:#fff}
.passed{background:#1a7f37}.failed{background:#c62828}.error{background:#8250df}.skipped{background:#6e7781}
section.case{background:#fff;border:1px solid #d0d7de;border-radius:6px;margin:0 0 20px;padding:12px 16px}
section.case h2{font-size:16px;margin:0 0 6px}
.clauses{color:#57606a;margin:0 0 6px}
.why{color:#c62828;font-weight:600}
ul.checks{list-style:none;padding:0;margin:6px 0}
ul.checks li{padding:1px 0}
ul.checks li.ok::before{content:"\\2713  ";color:#1a7f37;font-weight:700}
ul.checks li.bad::before{content:"\\2717  ";color:#c62828;font-weight:700}
.detail{color:#57606a;font-family:ui-monospace,monospace;font-size:12px;word-break:break-all}
.ladder-wrap{overflow-x:auto;border-top:1px solid #eaeef2;margin-top:8px;padding-top:8px}
svg.ladder text{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
svg.ladder .actor{font-size:13px;font-weight:700;fill:#1f2328}
svg.ladder .addr{font-size:11px;fill:#57606a}
svg.ladder .time{font-size:11px;fill:#8c959f}
svg.ladder .label{font-size:12px;font-weight:600}
svg.ladder g.msg{cursor:pointer}
svg.ladder g.msg:hover line,svg.ladder g.msg.selected line{stroke-width:3}
svg.ladder g.msg.selected .label{text-decoration:underline}
pre.message-view{background:#f6f8fa;border:1px solid #d0d7de;padding:8px;white-space:pre-wrap;word-break:break-all;font-size:12px}
.hint{color:#57606a;font-size:12px}
`;

const SCRIPT = `
(function () {
  'use strict';
  var sections = document.querySelectorAll('section.case');
  Array.prototype.forEach.call(sections, function (section) {
    var data = section.querySelector('script.messages');
    var texts = data ? JSON.parse(data.textContent) : [];
    var view = section.querySelector('pre.message-view');
    var arrows = section.querySelectorAll('g.msg');
    Array.prototype.forEach.call(arrows, function (g) {
      function show() {
        Array.prototype.forEach.call(arrows, function (o) { o.classList.remove('selected'); });
        g.classList.add('selected');
        view.textContent = texts[Number(g.getAttribute('data-msg'))] || '';
        view.hidden = false;
      }
      g.addEventListener('click', show);
      g.addEventListener('keydown', function (e) { if (e.key === 'Enter') show(); });
    });
  });
  var toggle = document.getElementById('only-failed');
  if (toggle) {
    toggle.addEventListener('change', function () {
      Array.prototype.forEach.call(sections, function (s) {
        s.hidden = toggle.checked && s.getAttribute('data-status') === 'passed';
      });
    });
  }
  document.body.setAttribute('data-ready', 'true');
})();
`;

export function renderHtml(run: SuiteRun): string {
  const { config, results } = run;
  const totals = (['passed', 'failed', 'error', 'skipped'] as const)
    .map((s) => ({ s, n: results.filter((r) => r.status === s).length }))
    .filter((t) => t.n > 0 || t.s === 'passed' || t.s === 'failed')
    .map((t) => `<span class="t-${t.s}">${t.n} ${t.s}</span>`)
    .join('');
  const rows = results
    .map(
      (r) =>
        `<tr><td><span class="badge ${r.status}">${r.status.toUpperCase()}</span></td><td><a href="#case-${escapeHtml(r.id)}">${escapeHtml(r.id)}</a></td><td>${escapeHtml(r.title)}</td><td>${escapeHtml(r.clauses.join(', '))}</td><td>${(r.durationMs / 1000).toFixed(2)} s</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>IMS test report: ${escapeHtml(`${config.pcscf.host}:${config.pcscf.port}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>IMS registration and call test report</h1>
<p>P-CSCF ${escapeHtml(`${config.pcscf.host}:${config.pcscf.port}`)} over ${escapeHtml(config.transport)} · domain ${escapeHtml(config.domain)} · suites ${escapeHtml(run.suites.join(', '))}</p>
<p>Started ${escapeHtml(run.startedAt.toISOString())} · ${(run.durationMs / 1000).toFixed(1)} s</p>
</header>
<main>
<p class="totals">${totals}</p>
<label><input type="checkbox" id="only-failed"> show only cases that did not pass</label>
<table class="summary">
<thead><tr><th>Result</th><th>Case</th><th>Title</th><th>Clauses</th><th>Time</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${results.map((r, i) => caseSection(r, i)).join('\n')}
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

function caseSection(r: CaseResult, index: number): string {
  const checks = r.checks
    .map(
      (c) =>
        `<li class="${c.ok ? 'ok' : 'bad'}">${escapeHtml(c.label)}${c.detail ? ` <span class="detail">${escapeHtml(c.detail)}</span>` : ''}</li>`,
    )
    .join('\n');
  // JSON inside <script>: "<" escaped so no "</script>" can end the element early.
  const texts = JSON.stringify(r.ladder.messages.map((m) => m.text)).replace(/</g, '\\u003c');
  return `<section class="case" id="case-${escapeHtml(r.id)}" data-status="${r.status}">
<h2><span class="badge ${r.status}">${r.status.toUpperCase()}</span> ${escapeHtml(r.id)} — ${escapeHtml(r.title)}</h2>
<p class="clauses">${escapeHtml(r.clauses.join(' · '))} · ${(r.durationMs / 1000).toFixed(2)} s</p>
<p>${escapeHtml(r.summary)}</p>
${r.message ? `<p class="why">${escapeHtml(r.message)}</p>` : ''}
<ul class="checks">
${checks}
</ul>
<div class="ladder-wrap">${r.ladder.messages.length ? renderLadderSvg(r.ladder, String(index)) : '<p class="hint">no SIP message was exchanged</p>'}</div>
<p class="hint">Click an arrow to see the whole message.</p>
<pre class="message-view" hidden></pre>
<script type="application/json" class="messages">${texts}</script>
</section>`;
}
