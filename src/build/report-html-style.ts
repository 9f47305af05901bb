/**
 * What the build report adds to the gate's stylesheet (`report/html-style.ts`, whose variables,
 * cards, pills and finding cards it uses as they are): outcome colours, the timeline, the stage
 * sections. Appended to the gate's CSS; the CSP admits the two together by hash.
 */
export const BUILD_CSS = `
.outcome-passed { --outcome: var(--pass); --outcome-bg: var(--pass-bg); }
.outcome-surfaced { --outcome: var(--warn); --outcome-bg: var(--warn-bg); }
.outcome-halted { --outcome: var(--fail); --outcome-bg: var(--fail-bg); }
.outcome-skipped { --outcome: var(--muted); --outcome-bg: var(--surface-2); }
.pill.outcome-pill { color: var(--outcome); background: var(--outcome-bg); border: 1px solid var(--outcome); }

.timeline { list-style: none; margin: 0; padding: 0; }
.tl-item {
  display: grid; grid-template-columns: 32px minmax(0, 1fr) minmax(140px, 36%) 76px 96px;
  grid-template-areas: "node main bar ms count"; gap: 4px 14px; align-items: center;
  position: relative; padding: 9px 10px 9px 0; border-radius: 8px;
}
.tl-item::before {
  content: ""; position: absolute; left: 15px; top: 0; bottom: 0; width: 2px; background: var(--border-strong);
}
.tl-item:first-child::before { top: 50%; }
.tl-item:last-child::before { bottom: 50%; }
.tl-node {
  grid-area: node; position: relative; z-index: 1; width: 28px; height: 28px; margin-left: 2px; border-radius: 50%;
  display: grid; place-items: center; background: var(--outcome); color: #fff; font-weight: 800; font-size: 14px; line-height: 1;
}
.outcome-skipped .tl-node { background: var(--surface); color: var(--muted); box-shadow: inset 0 0 0 2px var(--border-strong); }
@media screen and (prefers-color-scheme: dark) { .tl-node { color: #0e1116; } .outcome-skipped .tl-node { color: var(--muted); } }
.tl-item.outcome-halted { background: var(--fail-bg); box-shadow: inset 0 0 0 1px var(--fail-border); }
.tl-item.outcome-halted .tl-name { color: var(--fail); }
.tl-item.outcome-skipped .tl-name { color: var(--muted); }
.tl-main { grid-area: main; min-width: 0; }
.tl-head { display: flex; align-items: center; gap: 4px 8px; flex-wrap: wrap; }
.tl-name { font-weight: 650; color: var(--text); }
.tl-reason {
  margin: 2px 0 0; color: var(--muted); font-size: 0.82rem; overflow-wrap: anywhere;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden;
}
.tl-bar { grid-area: bar; width: 100%; height: 14px; display: block; color: var(--outcome); }
.tl-track { fill: var(--track); }
.tl-fill { fill: currentColor; }
.outcome-skipped .tl-fill { fill: var(--border-strong); }
.tl-ms { grid-area: ms; text-align: right; font-weight: 650; white-space: nowrap; }
.tl-findings { grid-area: count; text-align: right; font-size: 0.85rem; white-space: nowrap; }
.tl-findings.is-zero, .outcome-skipped .tl-ms { color: var(--muted); font-weight: 400; }
.tl-findings.is-blocking { color: var(--fail); font-weight: 650; }
.tl-axis {
  display: grid; grid-template-columns: 32px minmax(0, 1fr) minmax(140px, 36%) 76px 96px; gap: 0 14px;
  color: var(--muted); font-size: 0.75rem; padding-right: 10px;
}
.tl-axis span { grid-column: 3; grid-row: 1; }
.tl-axis span:last-child { justify-self: end; }

.path-list { list-style: none; margin: 0; padding: 0; display: grid; gap: 4px; }
.path-list .mono { overflow-wrap: anywhere; }

.stage { border-top: 1px solid var(--border); padding: 16px 0 4px; scroll-margin-top: 12px; }
.stage:first-of-type { border-top: 0; }
.stage-head { display: flex; align-items: center; gap: 6px 10px; flex-wrap: wrap; }
.stage-head .tl-node { margin-left: 0; }
.stage-title { font-size: 1rem; font-weight: 650; text-transform: none; letter-spacing: 0; color: var(--text); margin: 0; }
.stage-title code { color: var(--muted); font-weight: 500; }
.stage-meta { margin-left: auto; color: var(--muted); font-size: 0.85rem; }
.stage-reason { margin: 8px 0 0 38px; overflow-wrap: anywhere; }
.stage > .facts, .stage-findings, .stage-clean { margin-left: 38px; }
.stage-clean { margin-top: 8px; margin-bottom: 8px; font-size: 0.9rem; }
.stage-findings { margin-top: 12px; margin-bottom: 8px; }
.stage-findings > summary { cursor: pointer; font-weight: 600; margin-bottom: 10px; }

@media (max-width: 720px) {
  .tl-item { grid-template-columns: 32px minmax(0, 1fr) auto; grid-template-areas: "node main main" ". bar bar" ". ms count"; }
  .tl-ms, .tl-findings { text-align: left; }
  .tl-axis { display: none; }
  .stage-meta { margin-left: 0; }
  .stage-reason, .stage > .facts, .stage-findings, .stage-clean { margin-left: 0; }
}
@media print {
  .tl-item.outcome-halted { box-shadow: none; }
}
`;
