/**
 * The build report's HTML in a real browser (Debian's Chromium through playwright-core, as the
 * gate's report is tested): it loads nothing but itself and raises no error, the timeline shows
 * every stage with the halted one marked and bars as long as the stages took, a `<script>` in a
 * finding stays text, and the timeline opens a stage's findings. CVEBUILD_SCREENSHOTS=1 also
 * writes screenshots (test/helpers/browser.ts) for a person to look at.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { BuildRun } from '../../../src/build/pipeline.ts';
import { buildHtml } from '../../../src/build/report-html.ts';
import { browserSkip, launchBrowser, screenshotPath, screenshotsWanted } from '../../helpers/browser.ts';
import { HOSTILE_MESSAGE, haltedRun, passedRun } from '../../helpers/build-run.ts';
import { writeTemp } from '../../helpers/temp.ts';

const CONTEXT = { generatedAt: new Date('2026-11-20T12:00:00Z'), root: '/recipes' };

interface Opened {
  page: Page;
  url: string;
  requests: string[];
  /** Console errors, uncaught exceptions, dialogs (an `alert` that ran). */
  problems: string[];
}

describe('the build report in Chromium', { skip: browserSkip() }, () => {
  let browser: Browser;

  before(async () => {
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
  });

  async function open(run: BuildRun, name: string, options: { width?: number; dark?: boolean } = {}): Promise<Opened> {
    const url = pathToFileURL(writeTemp(`${name}.html`, buildHtml(run, CONTEXT))).href;
    const context = await browser.newContext({
      viewport: { width: options.width ?? 1280, height: 900 },
      colorScheme: options.dark ? 'dark' : 'light',
    });
    const page = await context.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(url);
    return { page, url, requests, problems };
  }

  async function finish(opened: Opened, screenshot: string): Promise<void> {
    if (screenshotsWanted()) await opened.page.screenshot({ path: screenshotPath(screenshot), fullPage: true });
    assert.deepEqual(
      opened.requests.filter((url) => url !== opened.url && !url.startsWith('data:')),
      [],
      'the page requested nothing but itself',
    );
    assert.deepEqual(opened.problems, []);
    await opened.page.context().close();
  }

  it('shows the verdict at the top and a timeline of eleven stages, the halted one marked', async () => {
    const opened = await open(haltedRun(), 'build-halted');
    const { page } = opened;
    assert.equal(await page.title(), 'cvebuild build: FAIL — demo-<b>pkg&');
    const first = await page.locator('main > *').first().getAttribute('id');
    assert.equal(first, 'verdict');
    assert.equal(await page.locator('#verdict .verdict-word').textContent(), 'FAIL');
    assert.match((await page.locator('#verdict h1').innerText()).replace(/\s+/g, ' '), /halted at Secret scan/);

    const items = page.locator('#timeline .tl-item');
    assert.equal(await items.count(), 11);
    const halted = page.locator('#timeline .tl-item[data-outcome="halted"]');
    assert.equal(await halted.count(), 1);
    assert.equal(await halted.getAttribute('data-stage'), 'secrets');
    assert.match(await halted.innerText(), /Secret scan\s+HALTED/);
    assert.match(await halted.innerText(), /2 findings/);
    // marked for the eye too: its node and its row take the failure colour, unlike a passed stage's
    const colour = (selector: string) =>
      page
        .locator(selector)
        .evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).backgroundColor);
    const haltedNode = await colour('.tl-item[data-stage="secrets"] .tl-node');
    assert.notEqual(haltedNode, await colour('.tl-item[data-stage="typosquat"] .tl-node'));
    assert.notEqual(await colour('.tl-item[data-stage="secrets"]'), await colour('.tl-item[data-stage="sast"]'));
    assert.equal(await page.locator('html').getAttribute('class'), 'js', 'the script ran under the CSP');
    await finish(opened, 'build-halted');
  });

  it('draws each stage’s bar as long as its share of the run, one after the other', async () => {
    const run = haltedRun();
    const total = run.stages.reduce((sum, record) => sum + record.ms, 0);
    const opened = await open(run, 'build-bars');
    const boxes = await opened.page.locator('#timeline .tl-item').evaluateAll((items) =>
      items.map((item) => {
        const track = item.querySelector('.tl-track')?.getBoundingClientRect();
        const fill = item.querySelector('.tl-fill')?.getBoundingClientRect();
        return { left: (fill?.left ?? 0) - (track?.left ?? 0), width: fill?.width ?? 0, track: track?.width ?? 0 };
      }),
    );
    let start = 0;
    for (const [index, record] of run.stages.entries()) {
      const box = boxes[index];
      assert.ok(box && box.track > 100, `${record.stage} has a track`);
      // within two pixels: the share of the run, and a sliver for a stage that took no time
      assert.ok(Math.abs(box.left - (Math.min(start, total * 0.996) / total) * box.track) <= 2, record.stage);
      assert.ok(Math.abs(box.width - Math.max(0.004, record.ms / total) * box.track) <= 2, record.stage);
      start += record.ms;
    }
    await finish(opened, 'build-bars');
  });

  it('keeps a <script> in a finding message as text, and opens its stage’s findings from the timeline', async () => {
    const opened = await open(haltedRun(), 'build-hostile');
    const { page } = opened;
    const secrets = page.locator('#stage-secrets .finding-message').first();
    assert.ok(await secrets.isVisible(), 'the halted stage’s findings are open');
    const text = await secrets.textContent();
    assert.ok(text?.includes('<script>alert(1)</script><img src=x onerror=alert(2)>'), text ?? '');
    assert.equal(
      await page.locator('#stage-secrets .finding-message script, #stage-secrets .finding-message img').count(),
      0,
    );
    assert.equal(await page.locator('script').count(), 1, 'the page’s own script only');
    assert.ok(!text?.includes('hunter2'));
    assert.ok(HOSTILE_MESSAGE.includes('hunter2'), 'the fixture did carry a credential');

    const cveFindings = page.locator('#stage-cve-audit-findings');
    assert.equal(await cveFindings.getAttribute('open'), null, 'a surfaced stage’s findings start closed');
    await page.locator('#timeline a[href="#stage-cve-audit"]').click();
    assert.notEqual(await cveFindings.getAttribute('open'), null);
    assert.ok(await page.locator('#stage-cve-audit .finding-card').isVisible());
    await page.locator('#stages-collapse').click();
    assert.equal(await page.locator('details.stage-findings[open]').count(), 0);
    await page.locator('#stages-expand').click();
    assert.equal(await page.locator('details.stage-findings[open]').count(), 2);
    await finish(opened, 'build-hostile');
  });

  it('shows a passed build with what it produced, in light and dark, wide and narrow', async () => {
    for (const [width, dark] of [
      [1280, false],
      [390, true],
    ] as const) {
      const opened = await open(passedRun(), `build-passed-${width}`, { width, dark });
      const { page } = opened;
      assert.equal(await page.locator('#verdict .verdict-word').textContent(), 'PASS');
      assert.equal(await page.locator('#timeline .tl-item[data-outcome="halted"]').count(), 0);
      const outputs = await page.locator('#outputs').innerText();
      assert.match(outputs, /demo-pkg-0\.1\.0-0\.conda\.sigstore\.json/);
      assert.match(outputs, /sbom\.cdx\.json/);
      assert.match(outputs, /requests >=2\.32\.0/);
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      assert.ok(overflow <= 0, `no sideways scrolling at ${width}px (${overflow}px over)`);
      await finish(opened, `build-passed-${width}${dark ? '-dark' : ''}`);
    }
  });
});
