/**
 * The verdict as a person reads it (issue 17): one line per package version with blocking
 * advisories, across platforms and environments, counted by severity with the version that clears
 * them; one line per rule for the rest; and the JSON report's `remediation` block per package.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Finding, Severity } from '../../../src/model/finding.ts';
import { renderAuditJson } from '../../../src/report/audit-json.ts';
import { renderAuditTable } from '../../../src/report/audit-table.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { blockingPackages, fixOf, highestVersion } from '../../../src/report/remediation.ts';
import type { ReportInput } from '../../../src/report/report.ts';
import { lineText, MAX_VERDICT_LINES, verdictLines } from '../../../src/report/verdict-lines.ts';
import { exampleReport } from '../../helpers/report-fixture.ts';

let base: ReportInput;
before(async () => {
  base = await exampleReport('ml-service');
});

const PLATFORMS = ['linux-64', 'osx-64', 'osx-arm64', 'win-64'];

interface Advisory {
  id: string;
  severity: Severity;
  safe?: string | null;
  kev?: boolean;
  malicious?: boolean;
}

/** One blocking advisory finding per platform, as the vulnerability and malicious checks report them. */
function advisoryFindings(
  name: string,
  version: string,
  advisories: Advisory[],
  options: { platforms?: string[]; environments?: string[]; ecosystem?: 'conda' | 'pypi'; blocking?: boolean } = {},
): Finding[] {
  const { platforms = PLATFORMS, environments = ['default'], ecosystem = 'pypi', blocking = true } = options;
  return platforms.flatMap((platform) =>
    advisories.map(
      (advisory): Finding => ({
        check: advisory.malicious ? 'malicious' : 'vulnerability',
        checkVersion: 1,
        rule: advisory.id,
        severity: advisory.severity,
        subject: { ecosystem, name, version, platform, environments },
        message: `${name} ${version} is affected by ${advisory.id}`,
        evidence: { id: advisory.id, safeVersion: advisory.safe ?? null, summary: `summary of ${advisory.id}` },
        flags: {
          aliases: [],
          ...(advisory.kev ? { kev: { dateAdded: '2024-01-01' } } : {}),
          ...(advisory.malicious ? { malicious: true as const } : {}),
        },
        blocking,
      }),
    ),
  );
}

function report(findings: Finding[]): ReportInput {
  return {
    ...base,
    findings,
    verdict: {
      outcome: findings.some((finding) => finding.blocking) ? 'fail' : 'pass',
      reasons: findings.filter((finding) => finding.blocking).map((finding) => `${finding.severity}: ${finding.rule}`),
      warnings: [],
    },
  };
}

const texts = (input: ReportInput) => verdictLines(input).map(lineText);

describe('package lines', () => {
  it('one line per package version across platforms and environments, counted by severity, with the fix', () => {
    const pillow = advisoryFindings('pillow', '10.4.0', [
      ...['A', 'B', 'C'].map((id) => ({ id: `GHSA-crit-${id}`, severity: 'critical' as const, safe: '11.3.0' })),
      ...['A', 'B', 'C', 'D', 'E'].map((id) => ({ id: `GHSA-high-${id}`, severity: 'high' as const, safe: '11.3.0' })),
      ...['A', 'B', 'C', 'D'].map((id) => ({ id: `GHSA-med-${id}`, severity: 'medium' as const, safe: '11.3.0' })),
    ]);
    // the same release in a second environment adds no line
    const again = advisoryFindings('pillow', '10.4.0', [{ id: 'GHSA-high-A', severity: 'high', safe: '11.3.0' }], {
      environments: ['test'],
    });
    assert.equal(pillow.length + again.length, 52);
    assert.deepEqual(texts(report([...pillow, ...again])), [
      'pillow 10.4.0: 12 advisories (3 critical, 5 high, 4 medium) on 4 platforms; 11.3.0 clears them all',
    ]);
  });

  it('the fix is the highest safe version, in the ecosystem ordering', () => {
    const findings = [
      ...advisoryFindings('numpy', '1.9', [{ id: 'CVE-1', severity: 'high', safe: '1.10' }], {
        platforms: ['linux-64'],
      }),
      ...advisoryFindings('numpy', '1.9', [{ id: 'CVE-2', severity: 'high', safe: '1.9.1' }], {
        platforms: ['linux-64'],
      }),
    ];
    // 1.10 > 1.9.1 as versions, though not as text
    assert.deepEqual(texts(report(findings)), ['numpy 1.9: 2 advisories (2 high) on linux-64; 1.10 clears them all']);
    assert.equal(highestVersion(['2.0rc1', '1.10', '2.0'], 'pypi'), '2.0');
    assert.equal(highestVersion(['1.0.1', '1.0.1a'], 'conda'), '1.0.1', 'conda: 1.0.1a sorts before 1.0.1');
    assert.equal(highestVersion(['1.2', 'not a version!'], 'pypi'), '1.2');
    assert.equal(highestVersion([undefined, ''], 'pypi'), undefined);
  });

  it('one advisory names itself; none fixed says so; some fixed says which are not', () => {
    const findings = [
      ...advisoryFindings('cryptography', '45.0.4', [{ id: 'GHSA-one', severity: 'critical', safe: '46.0.7' }]),
      ...advisoryFindings('openssl', '3.5.0', [
        { id: 'CVE-2026-1', severity: 'high' },
        { id: 'CVE-2026-2', severity: 'high' },
      ]),
      ...advisoryFindings('libxml2', '2.12.7', [
        { id: 'CVE-2025-1', severity: 'high', safe: '2.13.0' },
        { id: 'CVE-2025-2', severity: 'high', safe: '2.13.0' },
        { id: 'OSV-2021-777', severity: 'high' },
      ]),
    ];
    assert.deepEqual(texts(report(findings)), [
      'cryptography 45.0.4: 1 critical advisory (GHSA-one) on 4 platforms; 46.0.7 clears it',
      'libxml2 2.12.7: 3 advisories (3 high) on 4 platforms; 2.13.0 clears 2 of them; no fixed release for OSV-2021-777',
      'openssl 3.5.0: 2 advisories (2 high) on 4 platforms; no fixed release',
    ]);
  });

  it('malicious first, then known exploited, each named; a malicious release is removed', () => {
    const findings = [
      ...advisoryFindings('requests', '2.31.0', [{ id: 'GHSA-req', severity: 'critical', safe: '2.32.0' }]),
      ...advisoryFindings('pillow', '10.0.0', [
        { id: 'GHSA-kev', severity: 'high', safe: '10.0.1', kev: true },
        { id: 'GHSA-other', severity: 'medium', safe: '10.0.1' },
      ]),
      ...advisoryFindings('litellm', '1.82.7', [{ id: 'MAL-2026-2144', severity: 'critical', malicious: true }], {
        platforms: ['linux-64'],
      }),
    ];
    const lines = verdictLines(report(findings));
    assert.deepEqual(lines.map(lineText), [
      'litellm 1.82.7: malicious release (MAL-2026-2144) on linux-64; remove it',
      'pillow 10.0.0: 2 advisories (1 high, 1 medium), 1 known exploited (GHSA-kev) on 4 platforms; 10.0.1 clears them all',
      'requests 2.31.0: 1 critical advisory (GHSA-req) on 4 platforms; 2.32.0 clears it',
    ]);
    assert.deepEqual(
      lines.map((line) => line.kind),
      ['malicious', 'known exploited (KEV)', 'critical'],
    );
  });

  it('a name in both ecosystems says which line is which; versions get a line each', () => {
    const findings = [
      ...advisoryFindings('pillow', '10.4.0', [{ id: 'GHSA-a', severity: 'high', safe: '11.0' }], {
        ecosystem: 'conda',
      }),
      ...advisoryFindings('pillow', '10.4.0', [{ id: 'GHSA-a', severity: 'high', safe: '11.0' }]),
      ...advisoryFindings('lxml', '5.2.2', [{ id: 'GHSA-x', severity: 'high', safe: '6.1.0' }]),
      ...advisoryFindings('lxml', '5.4.0', [{ id: 'GHSA-x', severity: 'high', safe: '6.1.0' }]),
    ];
    assert.deepEqual(texts(report(findings)), [
      'lxml 5.2.2: 1 high advisory (GHSA-x) on 4 platforms; 6.1.0 clears it',
      'lxml 5.4.0: 1 high advisory (GHSA-x) on 4 platforms; 6.1.0 clears it',
      'pillow 10.4.0 (conda): 1 high advisory (GHSA-a) on 4 platforms; 11.0 clears it',
      'pillow 10.4.0 (pypi): 1 high advisory (GHSA-a) on 4 platforms; 11.0 clears it',
    ]);
  });

  it('only blocking findings count: waived, fixed-in-build and below-threshold ones are not in the verdict', () => {
    const findings = [
      ...advisoryFindings('pillow', '10.4.0', [{ id: 'GHSA-block', severity: 'high', safe: '11.0' }]),
      ...advisoryFindings('pillow', '10.4.0', [{ id: 'GHSA-low', severity: 'low', safe: '11.0' }], { blocking: false }),
    ];
    assert.deepEqual(texts(report(findings)), [
      'pillow 10.4.0: 1 high advisory (GHSA-block) on 4 platforms; 11.0 clears it',
    ]);
    assert.deepEqual(
      blockingPackages(findings).map((block) => block.advisories.map((advisory) => advisory.id)),
      [['GHSA-block']],
    );
  });

  it('an advisory one platform has no fix for stays unfixed', () => {
    const findings = [
      ...advisoryFindings('expat', '2.5.0', [{ id: 'CVE-1', severity: 'high', safe: '2.6.3' }], {
        platforms: ['linux-64'],
      }),
      ...advisoryFindings('expat', '2.5.0', [{ id: 'CVE-1', severity: 'high' }], { platforms: ['win-64'] }),
    ];
    const [block] = blockingPackages(findings);
    assert.deepEqual(fixOf(block?.advisories ?? [], 'conda'), { action: 'none', unfixed: ['CVE-1'] });
  });

  it('the same lines whatever order the findings come in', () => {
    const findings = [
      ...advisoryFindings('b', '1', [{ id: 'X', severity: 'high', safe: '2' }]),
      ...advisoryFindings('a', '1', [{ id: 'Y', severity: 'high', safe: '2' }]),
    ];
    assert.deepEqual(texts(report([...findings].reverse())), texts(report(findings)));
  });
});

describe('rule lines', () => {
  const other = (overrides: Partial<Finding>): Finding => ({
    check: 'typosquat',
    checkVersion: 1,
    rule: 'typosquat',
    severity: 'high',
    message: 'looks like a popular name',
    evidence: {},
    blocking: true,
    ...overrides,
  });

  it('a package rule is one line for all its packages; one package reads as it always did', () => {
    const on = (name: string, platform: string) =>
      other({ subject: { ecosystem: 'pypi', name, version: '1.0', platform, environments: ['default'] } });
    assert.deepEqual(texts(report([on('reqeusts', 'linux-64'), on('reqeusts', 'osx-64')])), [
      'high: reqeusts 1.0 (2 platforms) typosquat',
    ]);
    const many = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((name) => on(`pkg-${name}`, 'linux-64'));
    assert.deepEqual(texts(report(many)), [
      'high: typosquat on 7 packages (linux-64): pkg-a 1.0, pkg-b 1.0, pkg-c 1.0, pkg-d 1.0, pkg-e 1.0 and 2 more',
    ]);
  });

  it('a code rule lists its places; findings that each say something else keep a line each', () => {
    const code = (file: string, line: number) =>
      other({
        check: 'sast',
        rule: 'yaml-load',
        message: `${file}:${line}: yaml.load without SafeLoader`,
        location: { file: `${base.root}/${file}`, line },
      });
    const notChecked = (why: string) =>
      other({ check: 'vulnerability', rule: 'vulnerability/not-checked', message: why, flags: { unchecked: true } });
    assert.deepEqual(
      texts(report([code('a.py', 3), code('b.py', 9), notChecked('no KEV catalogue'), notChecked('no name map')])),
      ['high: yaml-load in 2 places: a.py:3, b.py:9', 'not checked: no KEV catalogue', 'not checked: no name map'],
    );
    assert.deepEqual(texts(report([code('a.py', 3)])), ['high: a.py:3: yaml.load without SafeLoader']);
  });

  it('package lines come before rule lines of the same rank', () => {
    const findings = [
      other({ subject: { ecosystem: 'pypi', name: 'reqeusts', version: '1.0', platform: 'linux-64' } }),
      ...advisoryFindings('zlib', '1.2', [{ id: 'CVE-9', severity: 'high', safe: '1.3' }]),
    ];
    assert.deepEqual(texts(report(findings)), [
      'zlib 1.2: 1 high advisory (CVE-9) on 4 platforms; 1.3 clears it',
      'high: reqeusts 1.0 (linux-64) typosquat',
    ]);
  });

  it('a failing verdict with no finding behind it shows its reasons as given', () => {
    const input: ReportInput = {
      ...base,
      findings: [],
      verdict: { outcome: 'fail', reasons: ['high: X'], warnings: [] },
    };
    assert.deepEqual(texts(input), ['high: X']);
  });
});

describe('the verdicts that draw the lines', () => {
  const many = () =>
    Array.from({ length: MAX_VERDICT_LINES + 5 }, (_, index) =>
      advisoryFindings(`pkg-${String(index).padStart(2, '0')}`, '1.0', [{ id: `CVE-${index}`, severity: 'high' }]),
    ).flat();

  it('the table prints each line once and counts what it leaves out', () => {
    const table = renderAuditTable(report(many()));
    const verdict = table.slice(table.indexOf('FAIL — '));
    assert.match(verdict, new RegExp(`^FAIL — ${MAX_VERDICT_LINES + 5} reason\\(s\\):$`, 'm'));
    assert.equal(verdict.match(/^ {2}pkg-\d+ 1\.0: /gm)?.length, MAX_VERDICT_LINES);
    assert.match(verdict, /^ {2}… and 5 more$/m);
  });

  it('Markdown: the package as code, one bullet per line', () => {
    const markdown = renderMarkdown(
      report(advisoryFindings('pillow', '10.4.0', [{ id: 'GHSA-a', severity: 'high', safe: '11.0' }])),
    );
    assert.match(markdown, /^- `pillow 10\.4\.0`: 1 high advisory \(GHSA-a\) on 4 platforms; 11\.0 clears it$/m);
  });
});

describe('the JSON remediation block', () => {
  it('one entry per package, its versions together, with counts, the fix and what no release fixes', () => {
    const findings = [
      ...advisoryFindings('lxml', '5.2.2', [{ id: 'GHSA-x', severity: 'high', safe: '6.1.0' }], {
        platforms: ['linux-64'],
        environments: ['default'],
      }),
      ...advisoryFindings(
        'lxml',
        '5.4.0',
        [
          { id: 'GHSA-x', severity: 'high', safe: '6.1.0' },
          { id: 'GHSA-y', severity: 'critical', kev: true },
        ],
        { platforms: ['osx-64'], environments: ['test'] },
      ),
      ...advisoryFindings('litellm', '1.82.7', [{ id: 'MAL-2026-2144', severity: 'critical', malicious: true }], {
        platforms: ['linux-64'],
      }),
      ...advisoryFindings('ok', '1.0', [{ id: 'GHSA-low', severity: 'low', safe: '1.1' }], { blocking: false }),
    ];
    const document = JSON.parse(renderAuditJson(report(findings)));
    assert.equal(document.schemaVersion, 1, 'an added key keeps the schema');
    assert.equal(document.findings.length, findings.length, 'findings stay one per finding');
    assert.deepEqual(document.remediation.packages, [
      {
        ecosystem: 'pypi',
        name: 'litellm',
        versions: ['1.82.7'],
        platforms: ['linux-64'],
        environments: ['default'],
        advisories: { total: 0, bySeverity: counts({}), ids: [] },
        malicious: ['MAL-2026-2144'],
        knownExploited: [],
        action: 'remove',
        fixVersion: null,
        unfixed: [],
        findings: 1,
      },
      {
        ecosystem: 'pypi',
        name: 'lxml',
        versions: ['5.2.2', '5.4.0'],
        platforms: ['linux-64', 'osx-64'],
        environments: ['default', 'test'],
        advisories: { total: 2, bySeverity: counts({ critical: 1, high: 1 }), ids: ['GHSA-x', 'GHSA-y'] },
        malicious: [],
        knownExploited: ['GHSA-y'],
        action: 'upgrade',
        fixVersion: '6.1.0',
        unfixed: ['GHSA-y'],
        findings: 3,
      },
    ]);
  });

  it('a passing report has an empty plan', () => {
    const document = JSON.parse(renderAuditJson(report([])));
    assert.deepEqual(document.remediation, { packages: [] });
  });
});

function counts(some: Partial<Record<Severity, number>>): Record<Severity, number> {
  return { info: 0, low: 0, unknown: 0, medium: 0, high: 0, critical: 0, ...some };
}
