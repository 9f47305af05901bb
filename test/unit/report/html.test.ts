import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, it } from 'node:test';
import type { Finding } from '../../../src/model/finding.ts';
import { renderHtml } from '../../../src/report/html.ts';
import type { ReportInput } from '../../../src/report/report.ts';
import { exampleReport, variedReport } from '../../helpers/report-fixture.ts';

let litellm: ReportInput;
let openssl: ReportInput;
let varied: ReportInput;
let mlService: ReportInput;

before(async () => {
  [litellm, openssl, varied, mlService] = await Promise.all([
    exampleReport('litellm-compromise'),
    exampleReport('openssl-cve'),
    variedReport(),
    exampleReport('ml-service'),
  ]);
});

const HOSTILE = `<script>alert("x")</script> & "quoted" <img src=x onerror=alert(1)>`;

function hostileReport(): ReportInput {
  const pkg = openssl.inventory.packages.find((p) => p.name === 'openssl');
  assert.ok(pkg);
  const evil = { ...pkg, name: '<b>evil</b>"pkg', license: HOSTILE, environments: ['<i>env</i>'] };
  const finding: Finding = {
    check: 'vulnerability',
    checkVersion: 1,
    rule: 'GHSA-"><script>x</script>',
    severity: 'critical',
    subject: { ecosystem: 'conda', name: evil.name, version: pkg.version, build: pkg.build, platform: pkg.platform },
    message: HOSTILE,
    evidence: {
      summary: HOSTILE,
      references: ['javascript:alert(1)', 'https://example.org/a"b'],
      fixed: ['<1.0>'],
      safeVersion: '</script>',
      '<key>': HOSTILE,
    },
    flags: { aliases: ['CVE-2024-0001', '"><svg onload=alert(1)>'] },
    remedy: HOSTILE,
    location: pkg.origin,
    blocking: true,
  };
  return {
    ...openssl,
    target: '<target>&',
    inventory: { ...openssl.inventory, packages: [...openssl.inventory.packages, evil] },
    findings: [finding],
    verdict: { outcome: 'fail', reasons: [HOSTILE], warnings: [HOSTILE] },
    undecided: [HOSTILE],
  };
}

/** The text between `<tag ...>` and `</tag>` for the first such element. */
function element(html: string, tag: string): string {
  const match = new RegExp(`<${tag}[^>]*>([\\s\\S]*?)</${tag}>`).exec(html);
  assert.ok(match, `no <${tag}>`);
  return match[1] ?? '';
}

function section(html: string, id: string): string {
  const match = new RegExp(`<section[^>]* id="${id}"[\\s\\S]*?</section>`).exec(html);
  assert.ok(match, `no section #${id}`);
  return match[0];
}

describe('renderHtml', () => {
  it('is one self-contained document whose CSP allows only its own style and script', () => {
    const html = renderHtml(litellm);
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
    assert.equal(html.match(/<script\b/g)?.length, 1, 'one inline script');
    assert.equal(html.match(/<style\b/g)?.length, 1, 'one inline stylesheet');
    assert.doesNotMatch(html, /\ssrc=/, 'nothing is loaded by src');
    assert.doesNotMatch(html, /\sstyle=/, 'no style attributes (the CSP would refuse them)');
    assert.deepEqual(
      [...html.matchAll(/<link [^>]*href="([^"]*)"/g)].map((m) => m[1]?.slice(0, 19)),
      ['data:image/svg+xml,'],
    );
    assert.doesNotMatch(html, /@import|url\(/, 'the CSS fetches nothing');
  });

  it('says FAIL with the reasons and counts the malicious release', () => {
    const html = renderHtml(litellm);
    assert.match(element(html, 'title'), /^cvebuild: FAIL — examples\/litellm-compromise$/);
    const verdict = section(html, 'verdict');
    assert.match(verdict, /class="verdict verdict-fail"/);
    assert.match(verdict, /<span class="verdict-word">FAIL<\/span>/);
    assert.match(
      verdict,
      /<li><details class="reason"><summary><span class="reason-kind">malicious<\/span> <code class="reason-subject">litellm 1\.82\.7<\/code>: <span class="tone-critical">malicious release \(MAL-2026-2144\)<\/span> on linux-64; <span class="tone-fail">remove it<\/span><\/summary>/,
    );
    // one click away: the advisory, linked, and the platform, linked to the package's details
    const details = /<ul class="reason-detail">\n(.*)\n<\/ul>/.exec(verdict)?.[1] ?? '';
    assert.match(details, /href="https:\/\/osv\.dev\/vulnerability\/MAL-2026-2144"/);
    assert.match(details, /<a href="#pkg-\d+">linux-64<\/a>/);
    assert.match(
      html,
      /data-card="malicious"[^>]*>\s*<span class="card-label">Malicious<\/span>\s*<span class="card-value">1<\/span>/,
    );
    assert.match(
      html,
      /data-card="packages" href="#packages">\s*<span class="card-label">Packages<\/span>\s*<span class="card-value">27<\/span>/,
    );
  });

  it('says PASS in green when the verdict passes', () => {
    const html = renderHtml({ ...mlService, verdict: { outcome: 'pass', reasons: [], warnings: [] } });
    assert.match(html, /class="verdict verdict-pass"/);
    assert.match(
      html,
      /<span class="verdict-word">PASS<\/span> <span class="verdict-headline">6 findings, none blocking<\/span>/,
    );
    assert.doesNotMatch(html, /Why it fails/);
  });

  it('draws one accessible bar per severity and per check', () => {
    const html = renderHtml(openssl);
    const severity = /<figure class="chart" id="chart-severity"[\s\S]*?<\/figure>/.exec(html)?.[0] ?? '';
    const bars = [...severity.matchAll(/<li class="bar-row[^"]*" data-bar="([^"]+)" data-value="(\d+)">/g)];
    assert.deepEqual(
      bars.map((m) => `${m[1]}=${m[2]}`),
      ['critical=2', 'high=3', 'medium=0', 'unknown=0', 'low=0', 'info=0'],
    );
    assert.match(severity, /role="img" aria-label="critical: 2 findings"><title>critical: 2 findings<\/title>/);
    assert.match(
      severity,
      /<rect class="bar-fill" x="0" y="0" width="66\.67" height="10"\/>/,
      'critical is 2/3 of high',
    );
    const check = /<figure class="chart" id="chart-check"[\s\S]*?<\/figure>/.exec(html)?.[0] ?? '';
    assert.equal([...check.matchAll(/data-bar="/g)].length, openssl.checks.length);
    assert.match(check, /aria-label="vulnerability: 5 findings"/);
  });

  it('renders the findings table blocking first, with sort keys, links and search text', () => {
    const html = renderHtml(openssl);
    const table = element(html, 'tbody');
    const rows = [
      ...table.matchAll(/<tr class="finding-row[^"]*" data-severity="(\w+)" data-check="(\w+)" data-text="([^"]*)">/g),
    ];
    assert.deepEqual(
      rows.map((m) => m[1]),
      ['critical', 'critical', 'high', 'high', 'high'],
    );
    assert.match(rows[0]?.[3] ?? '', /^libzlib 1\.2\.11 conda linux-64 vulnerability cve-2022-37434 critical /);
    assert.match(
      table,
      /<a class="rule-id" href="https:\/\/www\.cve\.org\/CVERecord\?id=CVE-2022-3602" target="_blank" rel="noopener noreferrer">CVE-2022-3602<\/a>/,
    );
    assert.match(table, /<td data-label="CVSS" data-sort="9\.8" class="num">9\.8<\/td>/);
    assert.match(table, /<td data-label="CVSS" data-sort="-1" class="num"><span class="muted">—<\/span><\/td>/);
    assert.match(html, /<th scope="col" data-sort-type="severity"><button type="button" class="sort">Severity/);
    assert.match(
      html,
      /<select id="check-filter"><option value="">All checks<\/option><option value="vulnerability">vulnerability<\/option><\/select>/,
    );
  });

  it('details each package: lock record, sha256, lock line and every finding with its evidence', () => {
    const html = renderHtml(openssl);
    const link =
      /<tr class="finding-row[^"]*"[^>]*>[\s\S]*?<a class="pkg-link" href="#(pkg-\d+)"><span class="pkg-name">openssl<\/span>/.exec(
        html,
      );
    assert.ok(link, 'the openssl row links to its package');
    const details = new RegExp(`<details class="pkg[^"]*" id="${link[1]}"[\\s\\S]*?</details>`).exec(html)?.[0] ?? '';
    assert.match(details, /data-package="openssl" data-findings="3"/);
    assert.match(
      details,
      /<dt>SHA-256<\/dt><dd><code>2adf6dd85c85de9307b207934d880f87228828926ba4c117ab643902d3dab202<\/code><\/dd>/,
    );
    assert.match(details, /<dt>Lock location<\/dt><dd><code>pixi\.lock:91<\/code><\/dd>/);
    assert.match(details, /<dt>Channel<\/dt><dd>https:\/\/conda\.anaconda\.org\/conda-forge<\/dd>/);
    assert.match(
      details,
      /<dt>Fixed in<\/dt><dd><code>3\.0\.8<\/code>, <code>1\.1\.1t<\/code>, <code>1\.0\.2zg<\/code><\/dd>/,
    );
    assert.match(details, /<dt>Safe version<\/dt><dd><code>3\.0\.8<\/code><\/dd>/);
    assert.match(details, /<dt>Matched as<\/dt><dd><code>upstream:openssl<\/code> via native \(range\)<\/dd>/);
    assert.equal([...details.matchAll(/<li class="finding-card/g)].length, 3);
    const first = /<details class="pkg[^"]*" id="pkg-0"[^>]*data-package="([^"]+)"/.exec(html);
    assert.equal(first?.[1], 'libzlib', 'packages with findings come first');
    assert.match(html, /<details class="pkg" id="pkg-3" data-package="_libgcc_mutex" data-findings="0"/);
  });

  it('shows CVSS, CWE and generic evidence keys of other checks', () => {
    const libzlib = renderHtml(openssl);
    assert.match(
      libzlib,
      /<dt>CVSS<\/dt><dd><strong>9\.8<\/strong> <code>CVSS:3\.1\/AV:N\/AC:L\/PR:N\/UI:N\/S:U\/C:H\/I:H\/A:H<\/code><\/dd>/,
    );
    assert.match(libzlib, /<dt>Weakness<\/dt><dd><a href="https:\/\/cwe\.mitre\.org\/data\/definitions\/787\.html"/);
    const cooldown = renderHtml(mlService);
    assert.match(cooldown, /<dt>Cutoff<\/dt><dd>2026-11-13T12:00:00\.000Z<\/dd>/);
    assert.match(cooldown, /<dt>Basis<\/dt><dd>pypi-upload-time<\/dd>/);
  });

  it('marks KEV findings and mapped severities', () => {
    const base = openssl.findings[2] as Finding;
    const kev: Finding = {
      ...base,
      originalSeverity: 'high',
      severity: 'critical',
      flags: { ...base.flags, kev: { dateAdded: '2023-03-30' } },
    };
    const html = renderHtml({ ...openssl, findings: [kev] });
    assert.match(
      html,
      /data-card="kev"[^>]*>\s*<span class="card-label">Known exploited<\/span>\s*<span class="card-value">1<\/span>/,
    );
    assert.match(html, /<dt>Known exploited<\/dt><dd>yes — in CISA KEV since 2023-03-30<\/dd>/);
    assert.match(
      html,
      /<dt>Severity<\/dt><dd>critical <span class="muted">\(the policy maps high to it\)<\/span><\/dd>/,
    );
    assert.match(element(html, 'tbody'), /<span class="tag tag-kev">KEV<\/span>/);
  });

  it('lists waived findings apart, with reason, by, expiry and the waiver location', () => {
    const html = renderHtml(varied);
    const waived = section(html, 'waived');
    assert.match(waived, /<td data-label="Reason">reviewed: &lt;not&gt; reachable &amp; &quot;safe&quot;<\/td>/);
    assert.match(waived, /<td data-label="By">alice@example\.org<\/td>/);
    assert.match(waived, /<td data-label="Expires">2026-12-31<\/td>/);
    assert.match(waived, /<td data-label="Waiver"><code>cvebuild\.toml:7<\/code><\/td>/);
    assert.doesNotMatch(section(html, 'findings'), /typosquat\/no-data/);
    assert.match(
      html,
      /data-card="waived" href="#waived">\s*<span class="card-label">Waived<\/span>\s*<span class="card-value">1<\/span>/,
    );
    assert.doesNotMatch(renderHtml(litellm), /id="waived"/);
  });

  it('shows policy warnings, the policy file, the checks, threat data with ages and undecided advisories', () => {
    assert.ok(varied.intel);
    const html = renderHtml({
      ...varied,
      intel: {
        ...varied.intel,
        feeds: [{ name: 'osv-pypi', url: 'https://osv.dev/x.zip', fetchedAt: '2026-11-20T09:00:00Z', count: 7080 }],
      },
      undecided: ['foo@1.0: PYSEC-2020-1 (version not readable)'],
    });
    assert.match(
      section(html, 'warnings'),
      /<li>waiver for CVE-2000-0001 \(cvebuild\.toml:12\) matches no finding<\/li>/,
    );
    const run = section(html, 'run');
    assert.match(run, /<dt>Policy<\/dt><dd><code>cvebuild\.toml<\/code><\/dd>/);
    assert.match(run, /<li><code>vulnerability<\/code> <span class="muted">v2<\/span> Known vulnerabilities<\/li>/);
    assert.match(
      run,
      /<li data-feed="osv-pypi"><div class="feed-head"><code>osv-pypi<\/code><span class="feed-age">3\.0 h old<\/span><\/div>\n<span class="sub">7080 records · fetched 2026-11-20 09:00 UTC<\/span>/,
    );
    assert.match(
      run,
      /<summary>Undecided advisories <span class="count">1<\/span><\/summary>[\s\S]*<li><code>foo@1\.0: PYSEC-2020-1 \(version not readable\)<\/code><\/li>/,
    );
    assert.match(run, /<code>pixi\.lock<\/code> <span class="muted">pixi-lock v6 · 27 records<\/span>/);
  });

  it('escapes every untrusted string and links only http(s) URLs', () => {
    const html = renderHtml(hostileReport());
    const body = html.slice(html.indexOf('<body>'), html.lastIndexOf('<script>'));
    assert.doesNotMatch(body, /<script|<img|<svg onload|<b>evil|<i>env|<key>|<target>/);
    assert.match(
      body,
      /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &quot;quoted&quot; &lt;img src=x onerror=alert\(1\)&gt;/,
    );
    assert.match(body, /<span class="pkg-name">&lt;b&gt;evil&lt;\/b&gt;&quot;pkg<\/span>/);
    // An id with characters no advisory id has is not linked at all.
    assert.match(body, /<code class="rule-id">GHSA-&quot;&gt;&lt;script&gt;x&lt;\/script&gt;<\/code>/);
    assert.doesNotMatch(body, /href="javascript:/i);
    assert.doesNotMatch(body, /href="https:\/\/example\.org\/a"b/);
    assert.match(body, /<li>javascript:alert\(1\)<\/li>/, 'a non-http reference is shown as text');
    assert.match(body, /<dt>&lt;key&gt;<\/dt>/);
    assert.match(element(html, 'title'), /^cvebuild: FAIL — &lt;target&gt;&amp;$/);
  });

  it('is deterministic: same input, same bytes, ids from the report only', () => {
    const first = renderHtml(openssl);
    assert.equal(renderHtml(openssl), first);
    assert.equal(renderHtml({ ...openssl, findings: [...openssl.findings].reverse() }), first);
    const ids = [...first.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
    for (const id of ids) assert.match(id ?? '', /^(pkg-\d+|[a-z]+(-[a-z]+)*)$/);
    assert.match(first, /2026-11-20 12:00 UTC/);
  });
});
