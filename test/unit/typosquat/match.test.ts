/** Each technique against a small self-made popular list, and the rules that keep names unflagged. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { osaDistance } from '../../../src/typosquat/distance.ts';
import { allowedDistance, allowedWithEvidence, NameIndex, type PopularName } from '../../../src/typosquat/index.ts';
import { findSquat, SHORT_PAIR, type Technique } from '../../../src/typosquat/match.ts';

const popular = (names: [string, number][]): NameIndex =>
  new NameIndex(names.map(([key, rank]): PopularName => ({ name: key, key, rank })));

const index = popular([
  ['requests', 1],
  ['boto3', 3],
  ['numpy', 5],
  ['colorama', 10],
  ['pillow', 20],
  ['urllib3', 30],
  ['tensorflow', 40],
  ['python-dateutil', 50],
  ['matplotlib', 60],
  ['click', 80],
  ['six', 90],
  ['scikit-learn', 120],
  ['pyjsg', 9820],
  ['pytest-picked', 5648],
  ['obscure-package', 12000],
]);

function expectSquatIn(names: NameIndex, candidate: string, target: string): void {
  const match = findSquat(names, candidate);
  assert.equal(match?.target.key, target, candidate);
  assert.equal(match?.needsEvidence, true, candidate);
}

function expectSquat(candidate: string, target: string, technique: Technique): void {
  const match = findSquat(index, candidate);
  assert.ok(match, `${candidate} should be flagged`);
  assert.equal(match.target.key, target, candidate);
  assert.equal(match.technique, technique, `${candidate}: ${match.detail}`);
}

describe('findSquat techniques', () => {
  it('edit-distance: a dropped, inserted or replaced character', () => {
    expectSquat('equests', 'requests', 'edit-distance');
    expectSquat('reqquests', 'requests', 'edit-distance');
    expectSquat('urlli3', 'urllib3', 'edit-distance');
    expectSquat('tenorflow', 'tensorflow', 'edit-distance');
    expectSquat('requ-sts', 'requests', 'edit-distance');
  });

  it('edit-distance 2 only for long names and very popular targets', () => {
    expectSquat('tensorflxx', 'tensorflow', 'edit-distance');
    assert.equal(findSquat(index, 'tensorflxx')?.distance, 2);
    assert.equal(findSquat(index, 'pytest-pinned'), undefined, 'two edits from a rank-5648 name');
    assert.equal(findSquat(index, 'numxx'), undefined, 'two edits from a 5-character name');
  });

  it('transposition: two adjacent characters swapped', () => {
    expectSquat('reqeusts', 'requests', 'transposition');
    expectSquat('colroama', 'colorama', 'transposition');
  });

  it('keyboard: a QWERTY neighbour typed instead', () => {
    expectSquat('p8llow', 'pillow', 'keyboard');
    expectSquat('requesrs', 'requests', 'keyboard');
  });

  it('homoglyph: lookalike characters, single or multi-character', () => {
    expectSquat('rnatplotlib', 'matplotlib', 'homoglyph');
    expectSquat('c1ick', 'click', 'homoglyph');
    expectSquat('b0to3', 'boto3', 'homoglyph');
    expectSquat('co1orama', 'colorama', 'homoglyph');
    assert.equal(findSquat(index, 'rnatplotlib')?.distance, 2, 'rn for m is two edits');
  });

  it('separator: the same words joined differently', () => {
    expectSquat('pythondateutil', 'python-dateutil', 'separator');
    expectSquat('scikit_learn', 'scikit-learn', 'separator');
  });

  it('affix: a common word added to or dropped from a popular name', () => {
    expectSquat('python-requests', 'requests', 'affix');
    expectSquat('requests2', 'requests', 'affix');
    expectSquat('colorama-dev', 'colorama', 'affix');
    expectSquat('pyrequests', 'requests', 'affix');
    expectSquat('tensorflow-api', 'tensorflow', 'affix');
    expectSquat('dateutil', 'python-dateutil', 'affix');
  });

  it('reports distance, confidence and a detail', () => {
    const match = findSquat(index, 'reqeusts');
    assert.deepEqual(
      { distance: match?.distance, confidence: match?.confidence, detail: match?.detail },
      { distance: 1, confidence: 0.95, detail: 'adjacent characters swapped' },
    );
    const obscure = findSquat(index, 'obscure-packages');
    assert.ok(obscure && obscure.confidence < (match?.confidence ?? 0), 'an obscure target lowers confidence');
  });
});

describe('findSquat never flags', () => {
  it('a popular name itself', () => {
    for (const name of ['requests', 'six', 'python-dateutil', 'tensorflow'])
      assert.equal(findSquat(index, name), undefined);
  });

  it('by name alone, one edit involving a name of 1–3 characters, or a 4-character pair: only with evidence', () => {
    assert.equal(allowedDistance(3, 9, 1), 0);
    assert.equal(allowedDistance(4, 4, 1), 0);
    for (const [name, technique] of [
      ['sx', 'edit-distance'],
      ['siz', 'keyboard'],
      ['sixx', 'edit-distance'],
    ] as const) {
      expectSquat(name, 'six', technique);
      const match = findSquat(index, name);
      assert.equal(match?.needsEvidence, true, name);
      assert.equal(match?.confidence, SHORT_PAIR.score, name);
    }
    for (const name of ['xis', 'ixs', 'abc'])
      assert.equal(findSquat(index, name), undefined, `${name}: never two edits`);
  });

  it('a 4-character name next to a name outside the top 1,000 only with evidence; next to a top one by name', () => {
    expectSquat('pyjs', 'pyjsg', 'edit-distance');
    assert.equal(findSquat(index, 'pyjs')?.needsEvidence, true);
    expectSquat('nump', 'numpy', 'edit-distance');
    assert.equal(findSquat(index, 'nump')?.needsEvidence, false);
  });

  it('never a pair of one-character names', () => {
    const tiny = popular([
      ['q', 100],
      ['uv', 200],
    ]);
    assert.equal(findSquat(tiny, 'x'), undefined);
    assert.equal(findSquat(tiny, 'q'), undefined, 'a popular name itself');
    expectSquatIn(tiny, 'u', 'uv');
    expectSquatIn(tiny, 'qq', 'q');
  });

  it('a name far from every popular name', () => {
    assert.equal(findSquat(index, 'fastapi-utils-extra'), undefined);
    assert.equal(findSquat(index, 'ros-jazzy-rclpy'), undefined);
  });
});

describe('NameIndex', () => {
  it('finds every name within the allowed distance, as a full scan would', () => {
    const names = ['requests', 'tensorflow', 'matplotlib', 'colorama', 'scikit-learn', 'pillow', 'boto3', 'click'];
    const small = popular(names.map((name, i) => [name, i + 1]));
    const candidates = [
      'reqeusts',
      'tensorfolw',
      'matplotlip',
      'colorma',
      'scikitlearn',
      'pilow',
      'bot03',
      'clik',
      'zzz',
      'clic',
      'boto',
      'pilw',
      'bot',
      'cl',
    ];
    for (const candidate of candidates) {
      const found = small
        .neighbours(candidate)
        .map((n) => n.target.key)
        .sort();
      const scanned = names
        .filter((name, i) => {
          const [shorter, longer] = [candidate.length, name.length].sort((a, b) => a - b) as [number, number];
          const limit = Math.max(allowedDistance(shorter, longer, i + 1), allowedWithEvidence(shorter, longer));
          const distance = osaDistance(candidate, name, limit);
          return distance >= 1 && distance <= limit;
        })
        .sort();
      assert.deepEqual(found, scanned, candidate);
    }
  });

  it('keeps the best rank when a name is listed twice', () => {
    const twice = popular([
      ['requests', 7],
      ['requests', 2],
    ]);
    assert.equal(twice.get('requests')?.rank, 2);
    assert.equal(twice.size, 1);
  });
});
