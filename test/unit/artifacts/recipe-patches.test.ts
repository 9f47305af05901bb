/** Judging a recipe's own text: which CVE ids count as patched, and which do not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backportEvidence, cveIdsIn, type RecipeFile } from '../../../src/artifacts/recipe-patches.ts';

const file = (text: string, truncated = false): RecipeFile => ({ text, truncated });

describe('CVE ids in recipe text', () => {
  it('reads the spellings patch names use, and nothing inside a longer word or number', () => {
    assert.deepEqual(cveIdsIn('patches/0001-CVE-2018-25032.patch'), ['CVE-2018-25032']);
    assert.deepEqual(cveIdsIn('cve_2022_37434-fix.diff'), ['CVE-2022-37434']);
    assert.deepEqual(cveIdsIn('fixes CVE-2016-9840 and cve-2016-9841.'), ['CVE-2016-9840', 'CVE-2016-9841']);
    assert.deepEqual(cveIdsIn('xCVE-2016-9840 CVE-2016-98401234 CVE-16-9840'), []);
  });
});

describe('backport evidence from recipe files', () => {
  const rendered = (patches: string[]) =>
    `package:\n    name: x\nsource:\n    patches:\n${patches.map((p) => `        - ${p}\n`).join('')}    url: https://x.invalid/x.tar.gz\nbuild:\n    number: 0\n`;

  it('counts a rendered section read only in part, when the section ends inside what was read', () => {
    const head = `${rendered(['CVE-2020-0001.patch'])}test:\n    commands:\n        - ${'x'.repeat(100)}`;
    const evidence = backportEvidence(
      'a.conda',
      new Map([
        ['meta.yaml', file(head, true)],
        ['CVE-2020-0001.patch', file('fix\n')],
      ]),
    );
    assert.deepEqual([...evidence.claims.keys()], ['CVE-2020-0001']);
  });

  it('claims nothing when the rendered section runs past what was read', () => {
    const head = 'package:\n    name: x\nsource:\n    patches:\n        - CVE-2020-0001.patch\n';
    const evidence = backportEvidence(
      'a.conda',
      new Map([
        ['meta.yaml', file(head, true)],
        ['CVE-2020-0001.patch', file('fix\n')],
      ]),
    );
    assert.deepEqual([...evidence.claims.keys()], []);
    assert.match(evidence.notes.join('\n'), /source section is not within the bytes read/);
  });

  it('ignores patches outside the recipe directory, templated paths, and a patch the recipe does not list', () => {
    const evidence = backportEvidence(
      'a.conda',
      new Map([
        ['meta.yaml', file(rendered(['../CVE-2020-0002.patch', '/abs/CVE-2020-0003.patch']))],
        ['CVE-2020-0004.patch', file('Subject: CVE-2020-0004\n')],
      ]),
    );
    assert.deepEqual([...evidence.claims.keys()], []);
    assert.match(evidence.notes.join('\n'), /outside the recipe directory/);
  });

  it('keeps a bounded number of claims, however many lines repeat one id', () => {
    const header = Array.from({ length: 50 }, (_, n) => `Note ${n}: CVE-2020-0005\n`).join('');
    const evidence = backportEvidence(
      'a.conda',
      new Map([
        ['meta.yaml', file(rendered(['fix.patch']))],
        ['fix.patch', file(`${header}--- a/x\n`)],
      ]),
    );
    assert.equal(evidence.claims.get('CVE-2020-0005')?.length, 5);
  });

  it('a YAML document that is not YAML is a note, not a crash', () => {
    const evidence = backportEvidence('a.conda', new Map([['meta.yaml', file('source:\n  patches: [unclosed\n')]]));
    assert.deepEqual([...evidence.claims.keys()], []);
    assert.match(evidence.notes.join('\n'), /not readable YAML/);
  });
});
