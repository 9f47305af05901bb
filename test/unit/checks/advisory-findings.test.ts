/**
 * A finding from a group of several hits: the first summary with text (even only whitespace) on
 * one line, feeds sorted, deciding sources once each in order, CWEs sorted and unique, references
 * unique in order and at most ten, the best score first, one `matchedBy` per hit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { advisoryFinding } from '../../../src/checks/advisory-findings.ts';
import type { MatchGroup } from '../../../src/intel/matcher.ts';
import type { Package } from '../../../src/model/package.ts';

const pkg = {
  ecosystem: 'conda',
  name: 'openssl',
  version: '3.0.7',
  build: 'h0_0',
  platform: 'linux-64',
  environments: ['default'],
  origin: { file: 'pixi.lock', line: 12 },
} as unknown as Package;

function hit(advisory: Record<string, unknown>, entry: Record<string, unknown>, by: string) {
  return {
    advisory: { cwes: [], references: [], severity: { vectors: [] }, ...advisory },
    entry: { ecosystem: 'upstream', ...entry },
    match: { by },
  };
}

function group(hits: ReturnType<typeof hit>[]): MatchGroup {
  return {
    id: 'CVE-2024-0001',
    aliases: ['GHSA-xxxx'],
    hits,
    malicious: false,
    target: { ecosystem: 'upstream', normalizedName: 'openssl', mappedBy: 'conda-name', version: '3.0.7' },
    kev: [],
    fixed: ['3.0.8'],
    safeVersion: '3.0.8',
  } as unknown as MatchGroup;
}

describe('advisoryFinding', () => {
  it('gathers the evidence of every hit', () => {
    const references = Array.from({ length: 12 }, (_, index) => `https://ref.example/${index}`);
    const finding = advisoryFinding(
      pkg,
      group([
        hit(
          {
            feed: 'openssl',
            summary: 'Buffer\n\t overflow   in  X',
            cwes: ['CWE-79', 'CWE-20'],
            references: references.slice(0, 6),
            severity: { score: 5, vectors: ['v5'], level: 'medium' },
          },
          {},
          'range',
        ),
        hit(
          {
            feed: 'nvd',
            summary: 'ignored',
            cwes: ['CWE-20', 'CWE-120'],
            references: references.slice(3),
            severity: { score: 9.8, vectors: ['v98'], level: 'critical' },
          },
          { feed: 'cve5' },
          'versions',
        ),
        hit(
          { feed: 'ghsa', severity: { score: 9.8, vectors: ['other'], level: 'high' } },
          { ecosystem: 'pypi', source: 'adp' },
          'range',
        ),
        hit({ feed: 'nvd' }, {}, 'range'),
      ]),
    );
    assert.equal(finding.severity, 'critical');
    assert.equal(
      finding.message,
      'openssl 3.0.7 (as upstream openssl, via conda-name) is affected by CVE-2024-0001: Buffer overflow in X',
    );
    const evidence = finding.evidence;
    assert.equal(evidence.summary, 'Buffer overflow in X');
    assert.equal(evidence.source, 'cve5,ghsa,nvd,openssl');
    assert.equal(evidence.statedBy, 'vendor feed, CNA entry, NVD configuration');
    assert.deepEqual(evidence.cwes, ['CWE-120', 'CWE-20', 'CWE-79']);
    assert.deepEqual(evidence.references, references.slice(0, 10));
    assert.equal(evidence.score, 9.8);
    assert.deepEqual(evidence.vectors, ['v98']);
    assert.deepEqual(evidence.matchedBy, ['range', 'versions', 'range', 'range']);
  });

  it('keeps a summary of only whitespace as an empty one, and says nothing without one', () => {
    const blank = advisoryFinding(pkg, group([hit({ feed: 'nvd', summary: ' \n ' }, {}, 'range')]));
    assert.equal(blank.message, 'openssl 3.0.7 (as upstream openssl, via conda-name) is affected by CVE-2024-0001: ');
    assert.equal(blank.evidence.summary, '');
    const none = advisoryFinding(pkg, group([hit({ feed: 'nvd', summary: '' }, { ecosystem: 'pypi' }, 'range')]));
    assert.equal(none.message, 'openssl 3.0.7 (as upstream openssl, via conda-name) is affected by CVE-2024-0001');
    assert.equal(none.evidence.summary, undefined);
    assert.equal('statedBy' in none.evidence, false);
    assert.equal(none.evidence.score, undefined);
  });

  it('cuts a long summary to 160 characters', () => {
    const long = advisoryFinding(pkg, group([hit({ feed: 'nvd', summary: `${'word '.repeat(50)}end` }, {}, 'range')]));
    assert.equal(long.evidence.summary, `${'word '.repeat(31)}wo...`);
  });
});
