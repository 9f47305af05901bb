/**
 * The HTML report in a real browser: it loads nothing but itself, raises no errors, and its
 * sorting, filtering, package details and charts work. CVEBUILD_SCREENSHOTS=1 also writes
 * screenshots (see test/helpers/browser.ts) for a person to look at.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { Finding } from '../../../src/model/finding.ts';
import { renderHtml } from '../../../src/report/html.ts';
import type { ReportInput } from '../../../src/report/report.ts';
import { browserSkip, launchBrowser, screenshotPath, screenshotsWanted } from '../../helpers/browser.ts';
import { exampleReport, variedReport } from '../../helpers/report-fixture.ts';
import { writeTemp } from '../../helpers/temp.ts';

interface Opened {
  page: Page;
  url: string;
  /** Every URL the page requested. */
  requests: string[];
  /** Console errors, uncaught exceptions and dialogs. */
  problems: string[];
}

const ROWS = '#findings-table tbody tr.finding-row:not([hidden])';

describe('HTML report in Chromium', { skip: browserSkip() }, () => {
  let browser: Browser;
  let litellm: ReportInput;
  let openssl: ReportInput;
  let varied: ReportInput;

  before(async () => {
    browser = await launchBrowser();
    [litellm, openssl, varied] = await Promise.all([
      exampleReport('litellm-compromise'),
      exampleReport('openssl-cve'),
      variedReport(),
    ]);
  });

  after(async () => {
    await browser?.close();
  });

  async function open(
    report: ReportInput,
    name: string,
    options: { width?: number; dark?: boolean; hash?: string } = {},
  ): Promise<Opened> {
    const file = writeTemp(`${name}.html`, renderHtml(report));
    const url = pathToFileURL(file).href;
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
    await page.goto(`${url}${options.hash ?? ''}`);
    return { page, url, requests, problems };
  }

  /** Nothing but the file itself (and inline data: URLs) was requested, and nothing went wrong. */
  function assertClean(opened: Opened): void {
    assert.deepEqual(
      opened.requests.filter((url) => url !== opened.url && !url.startsWith('data:')),
      [],
      'the page requested nothing but itself',
    );
    assert.ok(opened.requests.includes(opened.url));
    assert.deepEqual(opened.problems, []);
  }

  async function column(page: Page, label: string): Promise<string[]> {
    return (await page.locator(`${ROWS} td[data-label="${label}"]`).allTextContents()).map((text) => text.trim());
  }

  async function shoot(page: Page, name: string): Promise<void> {
    if (screenshotsWanted()) await page.screenshot({ path: screenshotPath(name), fullPage: true });
  }

  async function finish(opened: Opened, screenshot?: string): Promise<void> {
    if (screenshot) await shoot(opened.page, screenshot);
    assertClean(opened);
    await opened.page.context().close();
  }

  it('shows the litellm compromise as FAIL, naming MAL-2026-2144, loading nothing else', async () => {
    const opened = await open(litellm, 'litellm');
    const { page } = opened;
    assert.equal(await page.title(), 'cvebuild: FAIL — examples/litellm-compromise');
    assert.equal(await page.locator('#verdict .verdict-word').textContent(), 'FAIL');
    const banner = (await page.locator('#verdict').innerText()).replace(/\s+/g, ' ');
    assert.match(banner, /malicious litellm 1\.82\.7: malicious release \(MAL-2026-2144\) on linux-64; remove it/i);
    assert.equal(await page.locator('[data-card="malicious"] .card-value').textContent(), '1');
    // the advisory behind the package's line is one click away
    const detail = page.locator('#verdict .reason-detail a.rule-id').first();
    assert.equal(await detail.isVisible(), false);
    await page.locator('#verdict .reason > summary').first().click();
    assert.equal(await detail.isVisible(), true);
    assert.equal(await detail.textContent(), 'MAL-2026-2144');
    assert.equal(await page.locator('html').getAttribute('class'), 'js', 'the script ran');
    await finish(opened, 'litellm-compromise');
  });

  it('sorts the findings by the clicked column, severity- and number-aware', async () => {
    const opened = await open(openssl, 'openssl-sort');
    const { page } = opened;
    const packages = async () => (await column(page, 'Package')).map((text) => text.split(' ')[0]);
    assert.deepEqual(await packages(), ['libzlib', 'zlib', 'openssl', 'openssl', 'openssl']);

    const header = (label: string) => page.locator('#findings-table thead th', { hasText: label });
    await header('Package').locator('button').click();
    assert.equal(await header('Package').getAttribute('aria-sort'), 'ascending');
    assert.deepEqual(await packages(), ['libzlib', 'openssl', 'openssl', 'openssl', 'zlib']);
    await header('Package').locator('button').click();
    assert.equal(await header('Package').getAttribute('aria-sort'), 'descending');
    assert.deepEqual(await packages(), ['zlib', 'openssl', 'openssl', 'openssl', 'libzlib']);

    await header('Severity').locator('button').click();
    assert.equal(await header('Severity').getAttribute('aria-sort'), 'descending', 'most severe first');
    assert.equal(await header('Package').getAttribute('aria-sort'), null);
    await header('Severity').locator('button').click();
    assert.deepEqual(
      (await column(page, 'Severity')).map((text) => text.split(/\s/)[0]),
      ['high', 'high', 'high', 'critical', 'critical'],
    );

    await header('ID').locator('button').click();
    assert.deepEqual(
      await column(page, 'ID'),
      ['CVE-2022-3602', 'CVE-2022-3786', 'CVE-2022-37434', 'CVE-2022-37434', 'CVE-2023-0286'],
      'numbers inside ids compare as numbers',
    );
    await header('CVSS').locator('button').click();
    assert.deepEqual(await column(page, 'CVSS'), ['9.8', '9.8', '—', '—', '—']);
    await finish(opened);
  });

  it('filters the findings by text, severity and check', async () => {
    const opened = await open(openssl, 'openssl-filter');
    const { page } = opened;
    const count = page.locator('#finding-count');
    assert.equal(await count.textContent(), '5 findings');
    await page.locator('#finding-filter').fill('openssl');
    assert.equal(await page.locator(ROWS).count(), 3);
    assert.equal(await count.textContent(), 'Showing 3 of 5');
    await page.locator('#finding-filter').fill('OpenSSL x.509 email');
    assert.equal(await page.locator(ROWS).count(), 2, 'every word must match');
    await page.locator('#finding-filter').fill('');
    await page.locator('#severity-filter').selectOption('critical');
    assert.deepEqual(
      (await column(page, 'Package')).map((text) => text.split(' ')[0]),
      ['libzlib', 'zlib'],
    );
    await page.locator('#finding-filter').fill('no such package');
    assert.equal(await page.locator(ROWS).count(), 0);
    assert.ok(await page.locator('#findings-empty').isVisible());
    await page.locator('#finding-filter').fill('');
    await page.locator('#severity-filter').selectOption('');
    await page.locator('#check-filter').selectOption('vulnerability');
    assert.equal(await page.locator(ROWS).count(), 5);
    assert.ok(await page.locator('#findings-empty').isHidden());
    await finish(opened);
  });

  it('opens a package from its finding, showing the sha256 and the lock line', async () => {
    const pkg = openssl.inventory.packages.find((p) => p.name === 'openssl');
    assert.ok(pkg?.sha256);
    const opened = await open(openssl, 'openssl-details');
    const { page } = opened;
    const details = page.locator('details.pkg[data-package="openssl"]');
    const sha = details.locator('dd', { hasText: pkg.sha256 });
    assert.ok(await sha.isHidden(), 'closed at first');
    await page.locator(`${ROWS} a.pkg-link`, { hasText: 'openssl' }).first().click();
    assert.notEqual(await details.getAttribute('open'), null);
    assert.ok(await sha.isVisible());
    const body = await details.innerText();
    assert.match(body, /Lock location\s+pixi\.lock:91/);
    assert.match(body, /Channel\s+https:\/\/conda\.anaconda\.org\/conda-forge/);
    assert.equal(await details.locator('li.finding-card').count(), 3);
    assert.match(body, /Safe version\s+3\.0\.8/);
    await shoot(page, 'openssl-cve');

    await page.locator('#package-only-findings').check();
    assert.equal(await page.locator('details.pkg:not([hidden])').count(), 3);
    await page.locator('#package-filter').fill('zlib');
    assert.deepEqual(await page.locator('details.pkg:not([hidden])').evaluateAll(names), ['libzlib', 'zlib']);
    await finish(opened);
  });

  it('opens the package named in the URL fragment', async () => {
    const opened = await open(litellm, 'litellm-hash', { hash: '#pkg-0' });
    assert.equal(await opened.page.locator('#pkg-0').getAttribute('data-package'), 'litellm');
    assert.notEqual(await opened.page.locator('#pkg-0').getAttribute('open'), null);
    await finish(opened);
  });

  it('draws the severity chart with bars in proportion', async () => {
    const opened = await open(openssl, 'openssl-chart');
    const { page } = opened;
    const rows = page.locator('#chart-severity .bar-row');
    assert.equal(await rows.count(), 6);
    assert.deepEqual(await rows.locator('.bar-label').allTextContents(), [
      'critical',
      'high',
      'medium',
      'unknown',
      'low',
      'info',
    ]);
    assert.equal(await rows.first().locator('svg').getAttribute('aria-label'), 'critical: 2 findings');
    const width = async (severity: string) =>
      (await page.locator(`#chart-severity [data-bar="${severity}"] .bar-fill`).boundingBox())?.width ?? 0;
    const ratio = (await width('critical')) / (await width('high'));
    assert.ok(Math.abs(ratio - 2 / 3) < 0.02, `critical/high bar ratio ${ratio}`);
    assert.equal(await width('medium'), 0);
    assert.equal(await page.locator('#chart-check .bar-row').count(), openssl.checks.length);
    await finish(opened);
  });

  it('fits a 390 px screen without sideways scrolling', async () => {
    const opened = await open(openssl, 'openssl-narrow', { width: 390 });
    const { page } = opened;
    assert.ok((await page.evaluate<number>('document.documentElement.scrollWidth')) <= 390);
    assert.equal(await page.locator(ROWS).count(), 5);
    const row = await page.locator(ROWS).first().boundingBox();
    assert.ok(row && row.width <= 390 && row.height > 120, 'rows are stacked as cards');
    await finish(opened, 'openssl-cve-390');
  });

  it('follows the dark colour scheme and hides the controls in print', async () => {
    const opened = await open(varied, 'varied-dark', { dark: true });
    const { page } = opened;
    assert.equal(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'), 'rgb(14, 17, 22)');
    assert.ok(await page.locator('#waived').isVisible());
    assert.ok(await page.locator('#warnings').isVisible());
    await shoot(page, 'varied-dark');
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    assert.ok(await page.locator('#finding-filter').isHidden());
    assert.equal(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor'), 'rgb(255, 255, 255)');
    await finish(opened);
  });

  it('shows hostile text as text: no script runs, nothing is fetched', async () => {
    const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> & "q"';
    const base = openssl.findings[0] as Finding;
    const finding: Finding = { ...base, message: hostile, evidence: { ...base.evidence, summary: hostile } };
    const opened = await open({ ...openssl, findings: [finding] }, 'hostile');
    const { page } = opened;
    assert.equal(await page.evaluate<unknown>('window.pwned'), undefined);
    assert.equal((await page.locator(`${ROWS} td.summary`).textContent())?.trim(), hostile);
    assert.equal(await page.locator('main img, main script').count(), 0);
    await finish(opened);
  });
});

/** `data-package` of each element (runs in the page). */
function names(elements: { getAttribute(name: string): string | null }[]): (string | null)[] {
  return elements.map((element) => element.getAttribute('data-package'));
}
