import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Finding } from '../../../src/model/finding.ts';
import { MARKDOWN_MARKER, renderMarkdown } from '../../../src/report/markdown.ts';
import { code, link, text } from '../../../src/report/markdown-text.ts';
import type { ReportInput } from '../../../src/report/report.ts';
import { exampleReport, variedReport } from '../../helpers/report-fixture.ts';

let litellm: ReportInput;
let openssl: ReportInput;
let varied: ReportInput;
let clean: ReportInput;

before(async () => {
  [litellm, openssl, varied, clean] = await Promise.all([
    exampleReport('litellm-compromise'),
    exampleReport('openssl-cve'),
    variedReport(),
    exampleReport('ml-service'),
  ]);
});

function finding(name: string, overrides: Partial<Finding> = {}): Finding {
  return {
    check: 'vulnerability',
    checkVersion: 1,
    rule: `CVE-2024-${1000 + name.length}`,
    severity: 'high',
    subject: { ecosystem: 'pypi', name, version: '1.0', platform: 'linux-64', environments: ['default'] },
    message: `${name} 1.0 is affected`,
    evidence: { summary: `summary of ${name}` },
    remedy: `upgrade ${name} to 1.1 or later`,
    ...overrides,
  };
}

function withFindings(report: ReportInput, findings: Finding[], outcome: 'pass' | 'fail' = 'fail'): ReportInput {
  return {
    ...report,
    findings,
    verdict: { outcome, reasons: findings.filter((f) => f.blocking).map((f) => `high: ${f.rule}`), warnings: [] },
  };
}

/** The cells of a GFM table row, split at pipes that are not escaped. */
function cells(line: string): string[] {
  const out: string[] = [];
  let cell = '';
  for (let i = 1; i < line.length - 1; i++) {
    const char = line[i];
    if (char === '\\') {
      cell += char + line[i + 1];
      i++;
    } else if (char === '|') {
      out.push(cell.trim());
      cell = '';
    } else {
      cell += char;
    }
  }
  out.push(cell.trim());
  return out;
}

/** The body rows of the table under "### Findings". */
function findingsTable(markdown: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf('### Findings');
  if (start < 0) return [];
  const rows: string[] = [];
  for (const line of lines.slice(start + 4)) {
    if (!line.startsWith('| ')) break;
    rows.push(line);
  }
  return rows;
}

describe('renderMarkdown', () => {
  it('opens with the verdict, names the malicious release and links its advisory', () => {
    const markdown = renderMarkdown(litellm);
    const [marker, verdict] = markdown.split('\n');
    assert.equal(marker, MARKDOWN_MARKER);
    assert.match(
      verdict ?? '',
      /^\*\*cvebuild: FAIL\*\* — \d+ blocking findings? in `examples\/litellm-compromise` \(27 packages\)$/,
    );
    assert.match(markdown, /^- `litellm 1\.82\.7`: malicious release \(MAL-2026-2144\) on linux-64; remove it$/m);
    const rows = findingsTable(markdown);
    assert.deepEqual(cells(rows[0] ?? '').slice(0, 4), [
      '**critical** · blocks',
      '`litellm@1.82.7`',
      '`linux-64`',
      '`malicious`',
    ]);
    assert.match(
      rows[0] ?? '',
      /\[MAL-2026-2144\]\(https:\/\/osv\.dev\/vulnerability\/MAL-2026-2144\): Malicious code in litellm \(PyPI\)/,
    );
  });

  it('counts findings per check and severity, and names the checks that found nothing', () => {
    const markdown = renderMarkdown(openssl);
    assert.match(
      markdown,
      /\| Check \| Findings \| Blocking \| Waived \| critical \| high \|\n\|---\|--:\|--:\|--:\|--:\|--:\|/,
    );
    assert.match(markdown, /\| `vulnerability` \| 5 \| 5 \| 0 \| 2 \| 3 \|/);
    assert.match(markdown, /No findings from `malicious`, `lock-integrity`, `typosquat`, `confusion`/);
    assert.doesNotMatch(markdown, /\| \*\*Total\*\*/, 'one check needs no total row');
  });

  it('lists blocking findings first, most severe first, with the fix', () => {
    const report = withFindings(openssl, [
      finding('low-pkg', { severity: 'low' }),
      finding('crit-pkg', { severity: 'critical', blocking: true }),
      finding('med-pkg', { severity: 'medium' }),
      finding('high-pkg', { severity: 'high', blocking: true }),
    ]);
    const rows = findingsTable(renderMarkdown(report)).map(cells);
    assert.deepEqual(
      rows.map((row) => [row[0], row[1]]),
      [
        ['**critical** · blocks', '`crit-pkg@1.0`'],
        ['**high** · blocks', '`high-pkg@1.0`'],
        ['medium', '`med-pkg@1.0`'],
        ['low', '`low-pkg@1.0`'],
      ],
    );
    assert.equal(rows[0]?.[5], 'upgrade crit-pkg to 1.1 or later');
  });

  it('folds one issue on several platforms into one row', () => {
    const base = finding('numpy');
    const report = withFindings(openssl, [
      { ...base, subject: { ...(base.subject as NonNullable<Finding['subject']>), platform: 'osx-arm64' } },
      base,
    ]);
    const rows = findingsTable(renderMarkdown(report));
    assert.equal(rows.length, 1);
    assert.equal(cells(rows[0] ?? '')[2], '`linux-64, osx-arm64`');
  });

  it('escapes untrusted text so it cannot add HTML, formatting, mentions or table cells', () => {
    const hostile = finding('evil|pkg`x', {
      evidence: { summary: 'a | b\nnew line <script>alert("x")</script> & **bold** [link](http://x) @octocat' },
      remedy: '1. `rm -rf` | done',
    });
    const markdown = renderMarkdown(withFindings(openssl, [hostile]));
    assert.doesNotMatch(markdown, /<script>/);
    const rows = findingsTable(markdown);
    assert.equal(rows.length, 1, 'the newline did not start a new row');
    const row = cells(rows[0] ?? '');
    assert.equal(row.length, 6, 'the pipes did not add cells');
    // `x@1.0` reads as an e-mail address to GitHub's autolinker: the @ is broken too.
    assert.equal(row[1], 'evil\\|pkg\\`x@\u200b1.0');
    assert.equal(
      row[4],
      '[CVE-2024-1010](https://www.cve.org/CVERecord?id=CVE-2024-1010): a \\| b new line &lt;script&gt;alert("x")&lt;/script&gt; &amp; \\*\\*bold\\*\\* \\[link\\](http:\u200b//x) @\u200boctocat',
    );
    assert.equal(row[5], '1\\. \\`rm -rf\\` \\| done');
  });

  it('escapes list items that would start a nested list, and only links http(s) URLs', () => {
    assert.equal(text('- not a list'), '\\- not a list');
    assert.equal(text('1. not a list'), '1\\. not a list');
    assert.equal(text('version 0.1.0'), 'version 0.1.0');
    assert.equal(code('a|b'), 'a\\|b');
    assert.equal(link('x', 'javascript:alert(1)'), 'x');
    assert.equal(
      link('MAL-1', 'https://osv.dev/vulnerability/MAL-1)(x'),
      '[MAL-1](https://osv.dev/vulnerability/MAL-1%29%28x)',
    );
  });

  it('keeps waived findings out of the table, in a collapsed section with reason, by and expiry', () => {
    const markdown = renderMarkdown(varied);
    const waived = markdown.split('<details>\n<summary>Waived findings (1)</summary>')[1];
    assert.ok(waived, 'has a waived section');
    assert.deepEqual(
      findingsTable(markdown).map((line) => cells(line)[3]),
      ['`malicious`'],
    );
    const row = cells(waived.split('\n').find((line) => line.includes('typosquat/no-data')) ?? '');
    assert.deepEqual(row.slice(5), [
      'reviewed: &lt;not&gt; reachable &amp; "safe"',
      'alice@\u200bexample.org',
      '2026-12-31',
    ]);
    assert.match(waived, /\n\n<\/details>\n/);
  });

  it('shows policy warnings, the policy file and the threat data with feed ages', () => {
    assert.ok(varied.intel);
    const report: ReportInput = {
      ...varied,
      intel: {
        ...varied.intel,
        label: 'cache store',
        feeds: [
          { name: 'osv-pypi', url: 'https://osv.dev', fetchedAt: '2026-11-20T09:00:00Z', count: 7080 },
          { name: 'kev', url: 'https://cisa.gov', fetchedAt: '2026-11-17T12:00:00Z', count: 1 },
        ],
      },
    };
    const markdown = renderMarkdown(report);
    assert.match(
      markdown,
      /\*\*Policy warnings\*\*\n\n- waiver for CVE-2000-0001 \(cvebuild\.toml:12\) matches no finding/,
    );
    assert.match(
      markdown,
      /\*\*Threat data:\*\* cache store — `kev` 3\.0 d old \(1 record\), `osv-pypi` 3\.0 h old \(7080 records\)\\\n/,
    );
    assert.match(markdown, /\*\*Policy:\*\* `cvebuild\.toml`, fail on `high`/);
    assert.match(markdown, /cvebuild 0\.1\.0 · 2026-11-20 12:00 UTC\n$/);
  });

  it('passes clearly when nothing blocks', () => {
    const markdown = renderMarkdown(withFindings(clean, [finding('requests', { severity: 'low' })], 'pass'));
    assert.match(
      markdown,
      /^<!-- cvebuild:report -->\n\*\*cvebuild: PASS\*\* — 1 finding, none blocking in `examples\/ml-service`/,
    );
    assert.doesNotMatch(markdown, /Why it fails/);
    const none = renderMarkdown(withFindings(clean, [], 'pass'));
    assert.match(none, /\*\*cvebuild: PASS\*\* — no findings in/);
    assert.match(none, /No findings from \d+ checks: `vulnerability`/);
    assert.doesNotMatch(none, /### Findings/);
  });

  it('drops whole rows to fit maxLength and says how many are left out', () => {
    const many = Array.from({ length: 500 }, (_, i) =>
      finding(`pkg-${String(i).padStart(3, '0')}`, { blocking: i < 3 }),
    );
    const report = withFindings(openssl, many);
    for (const maxLength of [8_000, 20_000, 60_000]) {
      const markdown = renderMarkdown(report, { maxLength });
      assert.ok(markdown.length <= maxLength, `${markdown.length} > ${maxLength}`);
      const rows = findingsTable(markdown);
      assert.ok(rows.length > 10 && rows.length < 500);
      for (const row of rows) assert.equal(cells(row).length, 6);
      assert.match(
        markdown,
        new RegExp(`\\n… and ${500 - rows.length} more findings \\(see the SARIF / HTML report\\)\\n`),
      );
      assert.ok(markdown.length > maxLength - 400, 'fills the space it has');
    }
    const defaults = renderMarkdown(
      withFindings(openssl, [...many, ...many.map((f) => ({ ...f, rule: 'CVE-2025-1' }))]),
    );
    assert.ok(defaults.length <= 60_000);
    assert.match(defaults, /… and \d+ more findings/);
    assert.match(renderMarkdown(report, { maxLength: 1_000_000 }), /pkg-499@1\.0/);
  });

  it('shrinks the waived section before the verdict and footer', () => {
    const waived = Array.from({ length: 300 }, (_, i) =>
      finding(`w-${i}`, { waiver: { reason: 'accepted', expires: '2027-01-01', origin: { file: 'cvebuild.toml' } } }),
    );
    const markdown = renderMarkdown(withFindings(openssl, [finding('live', { blocking: true }), ...waived]), {
      maxLength: 10_000,
    });
    assert.ok(markdown.length <= 10_000);
    assert.match(markdown, /`live@1\.0`/);
    assert.match(markdown, /… and \d+ more waived findings/);
    assert.match(markdown, /\*\*Threat data:\*\*/);
  });

  it('is deterministic and independent of the order findings arrive in', () => {
    const findings = Array.from({ length: 30 }, (_, i) =>
      finding(`p${i % 7}`, { severity: (['low', 'high', 'critical'] as const)[i % 3], rule: `CVE-2024-${i}` }),
    );
    const first = renderMarkdown(withFindings(openssl, findings));
    assert.equal(renderMarkdown(withFindings(openssl, [...findings].reverse())), first);
    assert.equal(renderMarkdown(withFindings(openssl, findings)), first);
  });
});
