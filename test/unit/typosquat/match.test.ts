/** Each technique against a small self-made popular list, and the rules that keep names unflagged. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { osaDistance } from '../../../src/typosquat/distance.ts';
import { allowedDistance, NameIndex, type PopularName } from '../../../src/typosquat/index.ts';
import { findSquat, type Technique } from '../../../src/typosquat/match.ts';

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

  it('names of 1–3 characters, or 4-character pairs', () => {
    for (const name of ['sx', 'siz', 'sixx', 'six2', 'xis']) assert.equal(findSquat(index, name), undefined, name);
    assert.equal(allowedDistance(3, 9, 1), 0);
    assert.equal(allowedDistance(4, 4, 1), 0);
  });

  it('a 4-character name next to a name outside the top 1,000', () => {
    assert.equal(findSquat(index, 'pyjs'), undefined);
    expectSquat('nump', 'numpy', 'edit-distance');
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
    ];
    for (const candidate of candidates) {
      const found = small
        .neighbours(candidate)
        .map((n) => n.target.key)
        .sort();
      const scanned = names
        .filter((name) => {
          const [shorter, longer] = [candidate.length, name.length].sort((a, b) => a - b) as [number, number];
          const limit = allowedDistance(shorter, longer, 1);
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
