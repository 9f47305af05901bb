import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';

const INTEL = ['--db', fixture('coverage/intel'), '--now', '2026-11-22T12:00:00Z'];
const PROJECT = fixture('coverage/project');

interface CoverageJson {
  summary: {
    byKind: Record<string, number>;
    byEcosystem: Record<string, { packages: number; mapped: number }>;
    condaNames: { distinct: number; mapped: number; share: number };
    condaNamesByKind: Record<string, number>;
    reasons: { reason: string; packages: number }[];
  };
  packages: { name: string; platform: string; mappedBy: string[]; targets: string[]; reason: string | null }[];
}

describe('cvebuild coverage', () => {
  it('lists each package version with how it maps, platforms folded, then the counts', () => {
    const result = runCli(['coverage', PROJECT, ...INTEL]);
    assert.equal(result.status, 0, result.stderr);
    const rows = result.stdout.split('\n');
    const row = (name: string) => rows.find((text) => text.startsWith(`conda      ${name} `)) ?? '';
    assert.match(row('openssl'), /\bproduct\s+upstream:openssl$/);
    assert.match(row('pytorch'), /\bname-map\s+PyPI:torch$/);
    assert.match(row('requests'), /\bpurl\s+PyPI:requests$/);
    assert.match(row('zizmor'), /\bname-map-fallback\s+PyPI:zizmor$/);
    assert.match(row('libfoo'), /linux-64,osx-arm64\s+none\s+lock says purls: \[\] and no name-map entry/);
    assert.match(
      row('libbar'),
      /none\s+not a Python package \(no purl, no name-map entry\) and no upstream product mapped$/,
    );
    assert.ok(
      rows.includes(
        'packages (artifact × platform) by mapping: purl 1, name-map 1, name-map-fallback 1, product 1, ecosystem-purl 0, pypi-name 1, none 3',
      ),
      result.stdout,
    );
    assert.ok(rows.includes('conda: 4 of 7 packages mapped to an advisory source'));
    assert.ok(rows.some((text) => text.startsWith('conda names mapped: 4 of 6 (66.7%;')));
    assert.ok(rows.includes('not mapped: 2 package(s): lock says purls: [] and no name-map entry or upstream product'));
  });

  it('writes the same facts as JSON, one entry per package and platform', () => {
    const result = runCli(['coverage', PROJECT, ...INTEL, '--format', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const document = JSON.parse(result.stdout) as CoverageJson;
    assert.deepEqual(document.summary.byKind, {
      purl: 1,
      'name-map': 1,
      'name-map-fallback': 1,
      product: 1,
      'ecosystem-purl': 0,
      'pypi-name': 1,
      none: 3,
    });
    assert.deepEqual(document.summary.byEcosystem, {
      conda: { packages: 7, mapped: 4 },
      pypi: { packages: 1, mapped: 1 },
    });
    assert.deepEqual(document.summary.condaNames, { distinct: 6, mapped: 4, share: 0.6667 });
    assert.equal(document.summary.condaNamesByKind.none, 2);
    assert.equal(document.packages.length, 8);
    const zizmor = document.packages.find((pkg) => pkg.name === 'zizmor');
    assert.deepEqual(zizmor?.mappedBy, ['name-map-fallback']);
    assert.deepEqual(zizmor?.targets, ['PyPI:zizmor']);
    assert.equal(zizmor?.reason, null);
    const libbar = document.packages.find((pkg) => pkg.name === 'libbar');
    assert.deepEqual(libbar?.mappedBy, ['none']);
    assert.match(libbar?.reason ?? '', /^not a Python package/);
  });

  it('writes the listing to --output instead of standard output', () => {
    const file = join(tempDirectory(), 'coverage.json');
    const result = runCli(['coverage', PROJECT, ...INTEL, '--format', 'json', '--output', file]);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal((JSON.parse(readFileSync(file, 'utf8')) as CoverageJson).packages.length, 8);
  });

  it('reports an empty lock as nothing to map', () => {
    const result = runCli(['coverage', fixture('coverage/empty'), ...INTEL, '--format', 'json']);
    assert.equal(result.status, 0, result.stderr);
    const document = JSON.parse(result.stdout) as CoverageJson;
    assert.deepEqual(document.packages, []);
    assert.deepEqual(document.summary.condaNames, { distinct: 0, mapped: 0, share: 0 });
  });

  it('says which name maps nothing without a name map in the store', () => {
    const result = runCli([
      'coverage',
      PROJECT,
      '--db',
      fixture('audit/intel/openssl-cve5.jsonl'),
      '--now',
      '2026-11-22T12:00:00Z',
    ]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /pytorch .* none\s+no PyPI purls in the lock, no conda→PyPI name map in the store/);
  });

  it('exits 2 with one line naming a missing path', () => {
    const missing = join(tempDirectory(), 'no-such-lock');
    const result = runCli(['coverage', missing, ...INTEL]);
    assert.equal(result.status, 2);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
    assert.ok(result.stderr.includes(missing), result.stderr);
  });

  it('exits 2 with one line naming a lock that does not parse', () => {
    const lock = writeTemp('pixi.lock', 'version: 6\npackages: [\n');
    const result = runCli(['coverage', lock, ...INTEL]);
    assert.equal(result.status, 2);
    assert.equal(result.stderr.split('\n').filter(Boolean).length, 1, result.stderr);
    assert.ok(result.stderr.includes(lock), result.stderr);
  });

  it('exits 2 on stale threat data, as the gate does', () => {
    const result = runCli(['coverage', PROJECT, '--db', fixture('coverage/intel'), '--now', '2031-01-01T00:00:00Z']);
    assert.equal(result.status, 2);
    assert.match(result.stderr, /older than/);
  });
});

describe('gate and audit: packages not looked up for CVEs', () => {
  const GATE = [...INTEL, '--offline', '--checks', 'vulnerability'];

  it('the table summary says how many packages map to no advisory source, and why', () => {
    const result = runCli(['audit', PROJECT, ...GATE]);
    assert.equal(result.status, 0, result.stderr);
    assert.ok(
      result.stdout.includes(
        'not checked for CVEs: 3 of 8 packages map to no advisory source (2 lock says purls: [] and no name-map entry or upstream product; 1 not a Python package (no purl, no name-map entry) and no upstream product mapped); see `cvebuild coverage`\n',
      ),
      result.stdout,
    );
  });

  it('the JSON summary carries the same counts', () => {
    const result = runCli(['audit', PROJECT, ...GATE, '--format', 'json']);
    const { summary } = JSON.parse(result.stdout) as { summary: { notCheckedForCves: unknown } };
    assert.deepEqual(summary.notCheckedForCves, {
      packages: 3,
      reasons: [
        { reason: 'lock says purls: [] and no name-map entry or upstream product', packages: 2 },
        { reason: 'not a Python package (no purl, no name-map entry) and no upstream product mapped', packages: 1 },
      ],
    });
  });

  it('the Markdown and HTML reports say it too', () => {
    const markdown = runCli(['audit', PROJECT, ...GATE, '--format', 'markdown']);
    assert.equal(markdown.status, 0, markdown.stderr);
    assert.ok(
      markdown.stdout.includes('**Not checked for CVEs:** 3 of 8 packages map to no advisory source'),
      markdown.stdout,
    );
    assert.ok(
      markdown.stdout.includes('- 2 lock says purls: \\[\\] and no name-map entry or upstream product'),
      markdown.stdout,
    );
    const html = runCli(['audit', PROJECT, ...GATE, '--format', 'html']);
    assert.equal(html.status, 0, html.stderr);
    assert.match(
      html.stdout,
      /id="not-checked-for-cves">Not checked for CVEs: 3 of 8 packages map to no advisory source/,
    );
  });

  it('says nothing about CVE lookups when the vulnerability check did not run', () => {
    for (const format of ['table', 'markdown', 'html']) {
      const result = runCli(['audit', PROJECT, ...INTEL, '--offline', '--checks', 'malicious', '--format', format]);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(!/not checked for CVEs/i.test(result.stdout), result.stdout);
    }
  });
});
