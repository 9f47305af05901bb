/**
 * The HTML report's stylesheet, inlined into the page (the CSP admits exactly this text by hash).
 * System fonts only; light and dark schemes; tables become cards on narrow screens; print keeps
 * the content and drops the controls.
 */
export const REPORT_CSS = `
:root {
  color-scheme: light dark;
  --bg: #f4f6f9;
  --surface: #ffffff;
  --surface-2: #f8f9fb;
  --text: #1a1f27;
  --muted: #5d6776;
  --border: #e1e5eb;
  --border-strong: #cfd5de;
  --accent: #2456d6;
  --accent-soft: #e8eefc;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.05), 0 1px 3px rgba(16, 24, 40, 0.06);
  --fail: #b42318;
  --fail-bg: #fef3f2;
  --fail-border: #fecdca;
  --pass: #067647;
  --pass-bg: #ecfdf3;
  --pass-border: #abefc6;
  --warn: #93370d;
  --warn-bg: #fffaeb;
  --warn-border: #fedf89;
  --sev-critical: #9f1239;
  --sev-critical-bg: #ffe4e8;
  --sev-high: #c2410c;
  --sev-high-bg: #ffedd5;
  --sev-medium: #a15c07;
  --sev-medium-bg: #fef3c7;
  --sev-unknown: #475467;
  --sev-unknown-bg: #eaecf0;
  --sev-low: #1d4ed8;
  --sev-low-bg: #dbeafe;
  --sev-info: #4b5563;
  --sev-info-bg: #f2f4f7;
  --bar-check: #4f6bd8;
  --track: #eef1f5;
  --radius: 10px;
  --font: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
}
@media screen and (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1116;
    --surface: #161b22;
    --surface-2: #1c222b;
    --text: #e6e9ef;
    --muted: #98a2b3;
    --border: #2a313c;
    --border-strong: #3a4250;
    --accent: #7aa2ff;
    --accent-soft: #1d2a4a;
    --shadow: none;
    --fail: #ff8a80;
    --fail-bg: #2a1414;
    --fail-border: #5c2320;
    --pass: #6ce9a6;
    --pass-bg: #0f2619;
    --pass-border: #1f5a3a;
    --warn: #fdb022;
    --warn-bg: #2a2111;
    --warn-border: #5a4315;
    --sev-critical: #ff9eb1;
    --sev-critical-bg: #3d1220;
    --sev-high: #ffb37a;
    --sev-high-bg: #3a1e0c;
    --sev-medium: #fcd34d;
    --sev-medium-bg: #33270a;
    --sev-unknown: #c0c7d2;
    --sev-unknown-bg: #2a303a;
    --sev-low: #93b4ff;
    --sev-low-bg: #16244a;
    --sev-info: #b4bcc8;
    --sev-info-bg: #252b35;
    --bar-check: #7d95f0;
    --track: #232a34;
  }
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 15px/1.55 var(--font);
  font-feature-settings: "tnum" 1;
}
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
a:focus-visible, button:focus-visible, summary:focus-visible, input:focus-visible, select:focus-visible {
  outline: 2px solid var(--accent);
  outline-offset: 2px;
}
code, .mono { font-family: var(--mono); font-size: 0.88em; }
code { overflow-wrap: anywhere; }
h1, h2, h3 { line-height: 1.25; margin: 0; }
h2 { font-size: 1.15rem; font-weight: 650; }
h3 { font-size: 0.8rem; font-weight: 650; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 1.25rem 0 0.5rem; }
ul, ol { padding-left: 1.25rem; }
.muted { color: var(--muted); }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.wrap { overflow-wrap: anywhere; word-break: break-word; }

.topbar { background: var(--surface); border-bottom: 1px solid var(--border); }
.topbar-inner, main, .footer { max-width: 1240px; margin: 0 auto; padding-left: 28px; padding-right: 28px; }
.topbar-inner { display: flex; align-items: center; gap: 14px; padding-top: 12px; padding-bottom: 12px; flex-wrap: wrap; }
.brand { display: flex; align-items: center; gap: 8px; font-weight: 700; letter-spacing: -0.01em; font-size: 1.05rem; }
.brand-mark { width: 22px; height: 22px; }
.brand-sub { font-weight: 500; color: var(--muted); }
.topbar-meta { margin-left: auto; color: var(--muted); font-size: 0.85rem; display: flex; gap: 16px; flex-wrap: wrap; }
.topbar-meta code { color: var(--text); }

main { padding-top: 24px; padding-bottom: 32px; display: grid; gap: 20px; }

.verdict { border-radius: var(--radius); padding: 22px 24px; border: 1px solid; box-shadow: var(--shadow); }
.verdict-fail { background: var(--fail-bg); border-color: var(--fail-border); }
.verdict-pass { background: var(--pass-bg); border-color: var(--pass-border); }
.verdict-head { display: flex; gap: 18px; align-items: center; }
.verdict-badge {
  flex: none; width: 52px; height: 52px; border-radius: 50%; display: grid; place-items: center;
  font-size: 26px; font-weight: 700; color: #fff;
}
.verdict-fail .verdict-badge { background: var(--fail); }
.verdict-pass .verdict-badge { background: var(--pass); }
@media screen and (prefers-color-scheme: dark) { .verdict-badge { color: #0e1116; } }
.verdict-kicker { margin: 0; font-size: 0.75rem; font-weight: 650; text-transform: uppercase; letter-spacing: 0.08em; color: var(--muted); }
.verdict h1 { font-size: 1.6rem; font-weight: 700; letter-spacing: -0.015em; margin: 2px 0 4px; }
.verdict-word { font-weight: 800; letter-spacing: 0.02em; }
.verdict-fail .verdict-word { color: var(--fail); }
.verdict-pass .verdict-word { color: var(--pass); }
.verdict-headline { font-weight: 600; }
.verdict-detail { margin: 0; color: var(--muted); font-size: 0.9rem; }
.verdict-subtitle { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 18px 0 8px; font-weight: 650; }
.reasons { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
.reasons > li {
  background: var(--surface); border: 1px solid var(--border); border-radius: 8px; padding: 7px 12px;
  font-family: var(--mono); font-size: 0.85rem; overflow-wrap: anywhere;
}
.reasons code { font-family: var(--mono); font-weight: 650; }
.reason > summary { cursor: pointer; }
.reason-detail {
  list-style: none; margin: 8px 0 2px; padding: 0 0 0 12px; display: grid; gap: 4px;
  border-left: 2px solid var(--border); font-family: var(--font); font-size: 0.82rem;
}
.reason-where { color: var(--muted); }
.tone-critical { color: var(--sev-critical); } .tone-high { color: var(--sev-high); } .tone-medium { color: var(--sev-medium); }
.tone-unknown { color: var(--sev-unknown); } .tone-low { color: var(--sev-low); } .tone-info { color: var(--sev-info); }
.tone-fail { color: var(--fail); font-weight: 650; } .tone-pass { color: var(--pass); font-weight: 650; } .tone-muted { color: var(--muted); }
.reason-where a { margin-right: 6px; }
.reason-kind { font-family: var(--font); font-weight: 700; font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--fail); margin-right: 6px; }
.verdict-pass .reason-kind { color: var(--pass); }

.callout { border-radius: var(--radius); padding: 14px 18px; border: 1px solid; }
.callout h2 { font-size: 0.95rem; margin-bottom: 4px; }
.callout ul { margin: 0; }
.callout-warn { background: var(--warn-bg); border-color: var(--warn-border); }
.callout-warn h2 { color: var(--warn); }

.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.card {
  display: flex; flex-direction: column; gap: 2px; padding: 14px 16px; background: var(--surface);
  border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); color: var(--text);
}
a.card:hover { text-decoration: none; border-color: var(--border-strong); }
.card-label { font-size: 0.75rem; font-weight: 650; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); }
.card-value { font-size: 1.9rem; font-weight: 700; letter-spacing: -0.02em; line-height: 1.15; }
.card-note { font-size: 0.8rem; color: var(--muted); }
.card-alert { border-color: var(--fail-border); background: var(--fail-bg); }
.card-alert .card-value { color: var(--fail); }

.panel { background: var(--surface); border: 1px solid var(--border); border-radius: var(--radius); box-shadow: var(--shadow); padding: 20px 22px; min-width: 0; }
.panel-head { display: flex; align-items: baseline; gap: 6px 16px; flex-wrap: wrap; margin-bottom: 14px; }
.panel-note { margin: 0; color: var(--muted); font-size: 0.87rem; }
.count {
  display: inline-block; min-width: 1.6em; padding: 0 7px; margin-left: 4px; border-radius: 999px; background: var(--surface-2);
  border: 1px solid var(--border); font-size: 0.78rem; font-weight: 600; color: var(--muted); text-align: center; vertical-align: 2px;
}

.charts { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 36px; }
.chart { margin: 0; min-width: 0; }
.chart figcaption { font-size: 0.8rem; font-weight: 650; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin-bottom: 10px; }
.bars { list-style: none; margin: 0; padding: 0; display: grid; gap: 7px; }
.bar-row { display: grid; grid-template-columns: 104px 1fr 40px; align-items: center; gap: 10px; font-size: 0.87rem; }
.bar-label { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bar-row.is-zero .bar-label, .bar-row.is-zero .bar-value { color: var(--muted); }
.bar { width: 100%; height: 14px; display: block; }
.bar-track { fill: var(--track); }
.bar-fill { fill: currentColor; }
.bar-value { text-align: right; font-weight: 650; }
.bar.bar-check { color: var(--bar-check); }
.chart-note { grid-column: 1 / -1; margin: 6px 0 0; font-size: 0.8rem; color: var(--muted); }

.pill {
  display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 0.72rem; font-weight: 700;
  text-transform: uppercase; letter-spacing: 0.04em; white-space: nowrap; line-height: 1.7;
}
.sev-critical { color: var(--sev-critical); } .pill.sev-critical { background: var(--sev-critical-bg); }
.sev-high { color: var(--sev-high); } .pill.sev-high { background: var(--sev-high-bg); }
.sev-medium { color: var(--sev-medium); } .pill.sev-medium { background: var(--sev-medium-bg); }
.sev-unknown { color: var(--sev-unknown); } .pill.sev-unknown { background: var(--sev-unknown-bg); }
.sev-low { color: var(--sev-low); } .pill.sev-low { background: var(--sev-low-bg); }
.sev-info { color: var(--sev-info); } .pill.sev-info { background: var(--sev-info-bg); }
.tag {
  display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 0.7rem; font-weight: 700; text-transform: uppercase;
  letter-spacing: 0.04em; border: 1px solid var(--border-strong); color: var(--muted); line-height: 1.6; white-space: nowrap; margin-left: 4px;
}
.tag-block { color: var(--fail); border-color: var(--fail-border); background: var(--fail-bg); }
.tag-kev { color: var(--fail); border-color: var(--fail); }
.tag-waived { color: var(--muted); }
.tag-fixed { color: var(--muted); }

.toolbar { display: none; gap: 10px; align-items: center; flex-wrap: wrap; margin-bottom: 12px; }
.js .toolbar { display: flex; }
.field { display: flex; }
.field.grow { flex: 1 1 260px; }
input[type="search"], select, .button {
  font: inherit; font-size: 0.9rem; color: var(--text); background: var(--surface); border: 1px solid var(--border-strong);
  border-radius: 8px; padding: 7px 11px; min-height: 36px;
}
input[type="search"] { width: 100%; }
.button { cursor: pointer; background: var(--surface-2); font-weight: 550; }
.button:hover { border-color: var(--muted); }
.button-group { display: inline-flex; }
.button-group .button:first-child { border-top-right-radius: 0; border-bottom-right-radius: 0; }
.button-group .button + .button { border-top-left-radius: 0; border-bottom-left-radius: 0; border-left: 0; }
.check-field { display: flex; align-items: center; gap: 6px; font-size: 0.9rem; color: var(--muted); }
.toolbar-count { margin-left: auto; color: var(--muted); font-size: 0.85rem; }

.table-wrap { overflow-x: auto; border: 1px solid var(--border); border-radius: 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 10px 12px; border-bottom: 1px solid var(--border); }
thead th {
  position: sticky; top: 0; background: var(--surface-2); font-size: 0.75rem; font-weight: 650;
  text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); white-space: nowrap; z-index: 1;
}
tbody tr:last-child td { border-bottom: 0; }
tbody tr:hover td { background: var(--surface-2); }
td.num, th.num { text-align: right; }
.sort {
  font: inherit; color: inherit; text-transform: inherit; letter-spacing: inherit; background: none; border: 0; padding: 0;
  cursor: pointer; display: inline-flex; align-items: center; gap: 4px;
}
.sort:hover { color: var(--text); }
.sort-icon::after { content: "↕"; opacity: 0.35; font-size: 0.85em; }
th[aria-sort="ascending"] .sort-icon::after { content: "↑"; opacity: 1; }
th[aria-sort="descending"] .sort-icon::after { content: "↓"; opacity: 1; }
th[aria-sort] { color: var(--text); }
.findings td:first-child { white-space: nowrap; }
.findings tr.is-blocking td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
.findings .summary { min-width: 240px; }
.findings .fix { min-width: 160px; color: var(--muted); font-size: 0.88rem; }
.sub { display: block; color: var(--muted); font-size: 0.8rem; }
.pkg-link { color: var(--text); white-space: nowrap; }
.pkg-link:hover .pkg-name { text-decoration: underline; }
.pkg-name { font-weight: 650; }
.pkg-version { font-family: var(--mono); font-size: 0.88em; }
.rule-id { font-family: var(--mono); font-size: 0.86em; font-weight: 600; white-space: nowrap; }
.no-match td { text-align: center; color: var(--muted); padding: 22px; }
.empty-state { margin: 0; padding: 18px; text-align: center; color: var(--muted); background: var(--surface-2); border-radius: 8px; }

.pkg-list { border: 1px solid var(--border); border-radius: 8px; overflow: hidden; }
/* Thousands of packages: the browser lays out only the ones on screen. */
.pkg { border-bottom: 1px solid var(--border); background: var(--surface); content-visibility: auto; contain-intrinsic-size: auto 42px; }
.pkg:last-child { border-bottom: 0; }
.pkg[open] { background: var(--surface-2); }
.pkg > summary {
  list-style: none; cursor: pointer; padding: 9px 14px; display: flex; align-items: center; gap: 4px 14px; flex-wrap: wrap;
}
.pkg.pkg-blocking > summary { box-shadow: inset 3px 0 0 var(--fail); }
.pkg > summary::-webkit-details-marker { display: none; }
.pkg > summary::before {
  content: ""; width: 7px; height: 7px; border-right: 2px solid var(--muted); border-bottom: 2px solid var(--muted);
  transform: rotate(-45deg); transition: transform 0.15s; flex: none; margin-right: 2px;
}
.pkg[open] > summary::before { transform: rotate(45deg); }
.pkg > summary:hover { background: var(--surface-2); }
.pkg-title { min-width: 0; overflow-wrap: anywhere; }
.pkg-build { font-family: var(--mono); font-size: 0.8em; color: var(--muted); }
.pkg-meta { color: var(--muted); font-size: 0.85rem; }
.pkg-pills { margin-left: auto; display: flex; gap: 4px; flex-wrap: wrap; }
.pkg-body { padding: 2px 16px 18px 34px; }
.pkg-findings-title { margin-top: 18px; }
.pkg-clean { margin: 12px 0 0; font-size: 0.9rem; }
.pkg:target > summary { background: var(--accent-soft); }

.facts { margin: 12px 0 0; display: grid; grid-template-columns: 130px minmax(0, 1fr); gap: 6px 12px; align-items: baseline; }
.facts dt { color: var(--muted); font-size: 0.82rem; }
.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; font-size: 0.9rem; }
.facts-grid { grid-template-columns: 130px minmax(0, 1fr) 130px minmax(0, 1fr); column-gap: 12px; }
.facts-grid dd:nth-of-type(odd) { padding-right: 12px; }
.refs { margin: 0; padding-left: 1.1rem; }
.refs a { overflow-wrap: anywhere; }

.finding-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 10px; }
.finding-card { border: 1px solid var(--border); border-left: 3px solid var(--sev-info); border-radius: 8px; padding: 12px 14px; background: var(--surface); }
.sev-edge-critical { border-left-color: var(--sev-critical); }
.sev-edge-high { border-left-color: var(--sev-high); }
.sev-edge-medium { border-left-color: var(--sev-medium); }
.sev-edge-unknown { border-left-color: var(--sev-unknown); }
.sev-edge-low { border-left-color: var(--sev-low); }
.finding-head { display: flex; align-items: center; gap: 8px; flex-wrap: wrap; }
.finding-check { color: var(--muted); font-size: 0.85rem; }
.finding-message { margin: 8px 0 0; }
.finding-card .facts { grid-template-columns: 120px minmax(0, 1fr); }
.fixed-note { margin-top: 10px; padding: 8px 12px; border-radius: 6px; border: 1px solid var(--border); font-size: 0.88rem; }
.fixed-note ul { margin: 4px 0 0; padding-left: 18px; }
.waiver-note { margin-top: 10px; padding: 8px 12px; border-radius: 6px; background: var(--warn-bg); border: 1px solid var(--warn-border); font-size: 0.88rem; }
.rule-help { margin: 10px 0 0; color: var(--muted); font-size: 0.84rem; }

.run-grid { display: grid; grid-template-columns: 1fr 1fr; gap: 0 36px; }
.run-grid h3:first-child { margin-top: 0; }
.check-list, .source-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 4px; font-size: 0.9rem; }
.intel-label { margin: 0 0 8px; font-size: 0.9rem; overflow-wrap: anywhere; }
.feed-list { list-style: none; margin: 0; padding: 0; border: 1px solid var(--border); border-radius: 8px; }
.feed-list li { padding: 8px 12px; border-bottom: 1px solid var(--border); }
.feed-list li:last-child { border-bottom: 0; }
.feed-head { display: flex; justify-content: space-between; gap: 12px; }
.feed-head code { font-weight: 650; }
.feed-age { font-weight: 650; white-space: nowrap; }
.run-details { margin-top: 16px; border: 1px solid var(--border); border-radius: 8px; padding: 8px 14px; }
.run-details > summary { cursor: pointer; font-weight: 600; }
.undecided-list { font-size: 0.85rem; }

.footer { padding-top: 4px; padding-bottom: 32px; color: var(--muted); font-size: 0.8rem; }

@media (max-width: 900px) {
  .charts, .run-grid { grid-template-columns: 1fr; }
  .run-grid > div + div > h3:first-child { margin-top: 1.25rem; }
  .facts-grid { grid-template-columns: 130px minmax(0, 1fr); }
}
@media (max-width: 720px) {
  .topbar-inner, main, .footer { padding-left: 14px; padding-right: 14px; }
  main { padding-top: 14px; gap: 14px; }
  .topbar-meta { margin-left: 0; gap: 4px 12px; }
  .verdict { padding: 16px; }
  .verdict-head { align-items: flex-start; gap: 12px; }
  .verdict-badge { width: 40px; height: 40px; font-size: 20px; }
  .verdict h1 { font-size: 1.3rem; }
  .cards { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 10px; }
  .card { padding: 12px; }
  .card-value { font-size: 1.5rem; }
  .panel { padding: 16px 14px; }
  .bar-row { grid-template-columns: 88px 1fr 32px; }
  .toolbar-count { margin-left: 0; }
  .table-wrap { border: 0; overflow: visible; }
  table.findings, table.waived { display: block; }
  table.findings thead, table.waived thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.findings tbody, table.waived tbody { display: grid; gap: 10px; }
  table.findings tr, table.waived tr { display: block; border: 1px solid var(--border); border-radius: 8px; padding: 8px 12px; background: var(--surface); }
  table.findings tr.is-blocking { border-left: 3px solid var(--fail); }
  table.findings td, table.waived td { display: block; position: relative; border: 0; padding: 3px 0 3px 84px; text-align: left; min-height: 1.6em; }
  table.findings td::before, table.waived td::before {
    content: attr(data-label); position: absolute; left: 0; top: 5px; width: 76px; color: var(--muted);
    font-size: 0.7rem; font-weight: 650; text-transform: uppercase; letter-spacing: 0.04em;
  }
  table.findings td:first-child, table.waived td:first-child { padding-left: 0; padding-bottom: 6px; }
  table.findings td:first-child::before, table.waived td:first-child::before { content: none; }
  table.findings td.num { text-align: left; }
  .findings tr.is-blocking td:first-child { box-shadow: none; }
  .findings .summary, .findings .fix { min-width: 0; }
  .no-match td { display: block !important; }
  .no-match td::before { content: none !important; }
  .pkg-body { padding: 4px 12px 14px; }
  .pkg-pills { margin-left: 0; }
  .facts, .facts-grid, .finding-card .facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  .facts dd { margin-bottom: 6px; }
}
@media print {
  :root { color-scheme: light; }
  body { background: #fff; font-size: 11pt; }
  .topbar, .panel, .card, .verdict, .pkg { box-shadow: none; }
  .toolbar, .button, .sort-icon { display: none !important; }
  .topbar { border: 0; }
  main { padding-top: 8px; }
  .table-wrap { overflow: visible; }
  thead th { position: static; }
  tr, .finding-card, .card, .reasons > li { break-inside: avoid; }
  .panel { break-inside: auto; }
  a { color: inherit; }
  .pkg > summary::before { display: none; }
  .pkg { content-visibility: visible; }
}
`;
