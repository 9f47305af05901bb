/**
 * The build report as HTML, read as text: one self-contained document under the gate's CSP, the
 * verdict first, a timeline item and a section per stage, what the run produced, and every piece
 * of outside text escaped. The browser test (report-html-browser.test.ts) looks at it rendered.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildHtml } from '../../../src/build/report-html.ts';
import { STAGE_NAMES } from '../../../src/build/types.ts';
import { haltedRun, passedRun } from '../../helpers/build-run.ts';

const CONTEXT = { generatedAt: new Date('2026-11-20T12:00:00Z'), root: '/recipes' };

function element(html: string, tag: string): string {
  const match = new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`).exec(html);
  assert.ok(match, `no <${tag}>`);
  return match[1] ?? '';
}

/** The markup of the element with this id, up to its own closing tag (no nesting of the same tag inside). */
function byId(html: string, tag: string, id: string): string {
  const match = new RegExp(`<${tag}[^>]* id="${id}"[\\s\\S]*?</${tag}>`).exec(html);
  assert.ok(match, `no <${tag} id="${id}">`);
  return match[0];
}

describe('the build report in HTML', () => {
  it('is one self-contained document whose CSP admits only its own style and script', () => {
    const html = buildHtml(haltedRun(), CONTEXT);
    assert.match(html, /^<!DOCTYPE html>\n<html lang="en">/);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    assert.deepEqual(csp.split('; '), [
      "default-src 'none'",
      `style-src ${hash(element(html, 'style'))}`,
      `script-src ${hash(element(html, 'script'))}`,
      'img-src data:',
      "base-uri 'none'",
      "form-action 'none'",
    ]);
    assert.equal(html.match(/<script\b/g)?.length, 1, 'one inline script, ours');
    assert.equal(html.match(/<style\b/g)?.length, 1);
    assert.doesNotMatch(html, /<[a-z]+\s[^>]*\bsrc=/, 'nothing is loaded by src');
    assert.doesNotMatch(html, /\sstyle=/, 'no style attributes (the CSP would refuse them)');
    assert.doesNotMatch(html, /@import|url\(/);
  });

  it('puts the verdict first: FAIL, halted at the secret scan, with its reason', () => {
    const html = buildHtml(haltedRun(), CONTEXT);
    assert.match(element(html, 'title'), /^cvebuild build: FAIL — demo-&lt;b&gt;pkg&amp;$/);
    const main = element(html, 'main');
    assert.ok(main.trimStart().startsWith('<section class="verdict verdict-fail" id="verdict"'), main.slice(0, 80));
    const verdict = byId(html, 'section', 'verdict');
    assert.match(
      verdict,
      /<span class="verdict-word">FAIL<\/span> <span class="verdict-headline">halted at Secret scan<\/span>/,
    );
    assert.match(verdict, /<span class="reason-kind">secrets<\/span> secrets: build\.sh:3 github-token &lt;script&gt;/);
  });

  it('has a timeline item and a section for every stage, in pipeline order, the halted one marked', () => {
    const html = buildHtml(haltedRun(), CONTEXT);
    const timeline = byId(html, 'section', 'timeline');
    const items = [...timeline.matchAll(/<li class="tl-item outcome-(\w+)" data-stage="([\w-]+)"/g)];
    assert.deepEqual(
      items.map((m) => m[2]),
      [...STAGE_NAMES],
    );
    assert.deepEqual(
      items.map((m) => m[1]),
      ['passed', 'passed', 'skipped', 'surfaced', 'passed', 'halted', ...Array(5).fill('skipped')],
    );
    const sections = [...html.matchAll(/<section class="stage outcome-(\w+)" id="stage-([\w-]+)"/g)];
    assert.deepEqual(
      sections.map((m) => m[2]),
      [...STAGE_NAMES],
    );
    // each timeline item links to its stage's section
    for (const name of STAGE_NAMES) assert.ok(timeline.includes(`href="#stage-${name}"`), name);
  });

  it('draws each bar where its stage ran and as long as its share of the run', () => {
    const run = haltedRun();
    const total = run.stages.reduce((sum, record) => sum + record.ms, 0);
    const bars = [...buildHtml(run, CONTEXT).matchAll(/<rect class="tl-fill" x="(\d+)" y="0" width="(\d+)"/g)].map(
      (m) => ({ x: Number(m[1]), width: Number(m[2]) }),
    );
    assert.equal(bars.length, run.stages.length);
    let start = 0;
    for (const [index, record] of run.stages.entries()) {
      const bar = bars[index];
      assert.ok(bar);
      // to the nearest thousandth of the run, with a visible minimum for stages that took no time
      assert.ok(Math.abs(bar.x - Math.min(996, (start / total) * 1000)) <= 1, `${record.stage} starts at ${bar.x}`);
      assert.ok(Math.abs(bar.width - Math.max(4, (record.ms / total) * 1000)) <= 1, `${record.stage} is ${bar.width}`);
      start += record.ms;
    }
  });

  it('opens the halted stage’s findings and leaves the others closed', () => {
    const html = buildHtml(haltedRun(), CONTEXT);
    assert.match(
      byId(html, 'details', 'stage-secrets-findings'),
      /^<details class="stage-findings" [^>]*data-reveal open>/,
    );
    assert.match(
      byId(html, 'details', 'stage-cve-audit-findings'),
      /^<details class="stage-findings" [^>]*data-reveal>/,
    );
    assert.doesNotMatch(html, /id="stage-sast-findings"/, 'a stage without findings has nothing to open');
  });

  it('lists the packages with their sha256, the signature bundles, the SBOM, the log and the safe pins', () => {
    const run = passedRun();
    const outputs = byId(buildHtml(run, CONTEXT), 'section', 'outputs');
    assert.match(outputs, /<code>\/runs\/run-0123456789abcdef\/output\/demo-pkg-0\.1\.0-0\.conda<\/code>/);
    assert.match(outputs, new RegExp(`sha256 <span class="mono">${'ab'.repeat(32)}</span>`));
    assert.match(outputs, /demo-pkg-0\.1\.0-0\.conda\.sigstore\.json/);
    assert.match(outputs, /<dt>SBOM<\/dt><dd><code>\/runs\/run-0123456789abcdef\/sbom\.cdx\.json<\/code>/);
    assert.match(outputs, /<dt>Build log<\/dt>/);
    assert.match(outputs, /<code>requests &gt;=2\.32\.0<\/code>/);
    const verdict = byId(buildHtml(run, CONTEXT), 'section', 'verdict');
    assert.match(verdict, /<span class="verdict-word">PASS<\/span>/);
    assert.match(verdict, /Surfaced, not halting/);
  });

  it('escapes every piece of outside text: recipe paths, reasons, messages, unknown details', () => {
    const run = haltedRun();
    const [first] = run.stages;
    assert.ok(first);
    first.details = { '<k>': '<script>alert(4)</script>', packages: ['<img src=x onerror=alert(5)>'] };
    const html = buildHtml(run, CONTEXT);
    const body = element(html, 'body').replace(/<script>[\s\S]*<\/script>\s*$/, '');
    assert.doesNotMatch(body, /<script|<img|<b>/, 'no markup from outside');
    assert.match(
      body,
      /token in build\.sh &lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/,
    );
    assert.match(body, /<dt>&lt;k&gt;<\/dt>/);
    assert.ok(!html.includes('hunter2'), 'credentials in a URL are masked');
    assert.ok(!html.includes('\u202e'), 'a bidi override is shown as an escape');
    assert.match(body, /\\u202etxt\.exe/);
  });
});
