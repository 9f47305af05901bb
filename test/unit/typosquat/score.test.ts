/** The typosquat score: name signals plus evidence, each listed with its weight, and the thresholds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarizeFiles } from '../../../src/cooldown/project-pages.ts';
import { NameIndex, type PopularName } from '../../../src/typosquat/index.ts';
import { findSquat, type SquatMatch } from '../../../src/typosquat/match.ts';
import {
  describeScoring,
  mostHistoryCanAdd,
  type ProjectHistory,
  type SquatEvidence,
  scoreSquat,
  severityOfScore,
  WEIGHTS,
} from '../../../src/typosquat/score.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-06-01T00:00:00Z');

const index = new NameIndex(
  [
    ['requests', 1],
    ['pydantic', 40],
    ['black', 60],
    ['obscure-package', 12000],
  ].map(([key, rank]): PopularName => ({ name: key as string, key: key as string, rank: rank as number })),
);

function match(name: string): SquatMatch {
  const found = findSquat(index, name);
  assert.ok(found, name);
  return found;
}

const found = (days: number, releases: number): ProjectHistory => ({
  status: 'found',
  index: 'https://pypi.org/simple',
  firstUpload: NOW - days * DAY,
  releases,
  from: 'index',
});

const evidence = (history: ProjectHistory, extra: Partial<SquatEvidence> = {}): SquatEvidence => ({
  onCondaForge: false,
  history,
  now: NOW,
  ...extra,
});

const weightOf = (signals: { signal: string; weight: number }[], signal: string) =>
  signals.find((candidate) => candidate.signal === signal)?.weight;

describe('name signals', () => {
  it('break the confidence into the technique, the target popularity tier and the name length', () => {
    const reqeusts = match('reqeusts');
    assert.deepEqual(
      reqeusts.signals.map((signal) => [signal.signal, signal.weight]),
      [
        ['technique', 0.9],
        ['target-popularity', 0.05],
        ['short-name', 0],
      ],
    );
    assert.equal(reqeusts.confidence, 0.95);
    const blakc = match('blakc');
    assert.equal(weightOf(blakc.signals, 'short-name'), -0.1);
    assert.equal(blakc.confidence, 0.85);
    const obscure = match('obscure-packages');
    assert.equal(weightOf(obscure.signals, 'target-popularity'), -0.1);
    assert.match(obscure.signals[1]?.detail ?? '', /#12000 .*below the top 5,000/);
  });
});

describe('scoreSquat', () => {
  it('pedantic / pydantic: a new one-release project blocks, an old many-release one is cleared', () => {
    const pedantic = match('pedantic');
    assert.equal(severityOfScore(pedantic.confidence), 'high', 'by name alone');
    const young = scoreSquat(pedantic, evidence(found(3, 1)));
    assert.equal(young.severity, 'high');
    assert.equal(weightOf(young.signals, 'first-upload'), 0.2);
    assert.equal(weightOf(young.signals, 'releases'), 0.1);
    const old = scoreSquat(pedantic, evidence(found(8 * 365, 40)));
    assert.equal(old.score, 0.4);
    assert.equal(old.severity, 'low');
    assert.equal(weightOf(old.signals, 'first-upload'), -0.3);
    assert.equal(weightOf(old.signals, 'releases'), -0.1);
    assert.match(old.signals.find((s) => s.signal === 'first-upload')?.detail ?? '', /^2018-06-03, 2920 days ago/);
  });

  it('lists every signal, the evidence ones with weight 0 when they say nothing, and sums them', () => {
    const scored = scoreSquat(match('pedantic'), evidence(found(200, 8)));
    assert.deepEqual(
      scored.signals.map((signal) => signal.signal),
      ['technique', 'target-popularity', 'short-name', 'conda-forge', 'first-upload', 'releases'],
    );
    assert.equal(scored.score, Math.round(scored.signals.reduce((sum, signal) => sum + signal.weight, 0) * 100) / 100);
    assert.equal(weightOf(scored.signals, 'conda-forge'), 0);
  });

  it('lowers a name conda-forge packages by the conda-forge weight', () => {
    const scored = scoreSquat(match('reqeusts'), evidence(found(200, 8), { onCondaForge: true }));
    assert.equal(weightOf(scored.signals, 'conda-forge'), WEIGHTS.condaForge);
    assert.equal(scored.score, 0.45);
    assert.equal(scored.severity, 'low');
  });

  it('raises a project its index no longer lists', () => {
    const scored = scoreSquat(match('blakc'), evidence({ status: 'absent', index: 'https://pypi.org/simple' }));
    assert.equal(weightOf(scored.signals, 'index'), WEIGHTS.absent);
    assert.equal(scored.severity, 'high');
  });

  it('says when the history was not looked up, and scores the name alone', () => {
    const offline = scoreSquat(
      match('pedantic'),
      evidence({ status: 'unavailable', reason: 'offline: the index was not asked', offline: true }),
    );
    assert.equal(offline.score, match('pedantic').confidence);
    assert.deepEqual(offline.signals.at(-1), {
      signal: 'history',
      weight: 0,
      detail: 'offline: judged by name alone, the project history was not looked up',
    });
    const failed = scoreSquat(
      match('pedantic'),
      evidence({ status: 'unavailable', reason: 'HTTP 503', offline: false }),
    );
    assert.match(failed.signals.at(-1)?.detail ?? '', /not looked up \(HTTP 503\): judged by name alone/);
    const noTimes = scoreSquat(
      match('pedantic'),
      evidence({ status: 'found', index: 'https://pypi.org/simple', releases: 2, from: 'index' }),
    );
    assert.deepEqual(
      noTimes.signals.find((s) => s.signal === 'first-upload'),
      { signal: 'first-upload', weight: 0, detail: 'https://pypi.org/simple gives no upload times' },
    );
  });

  it('keeps a known-malicious name critical whatever the other signals', () => {
    const scored = scoreSquat(
      match('obscure-packages'),
      evidence(found(9 * 365, 100), { onCondaForge: true, knownMalicious: 'MAL-2024-1' }),
    );
    assert.equal(scored.severity, 'critical');
    assert.equal(scored.score, 1);
    assert.match(scored.signals.at(-1)?.detail ?? '', /MAL-2024-1: critical whatever/);
  });

  it('clears a name the evidence takes below the report threshold', () => {
    const scored = scoreSquat(match('obscure-packages'), evidence(found(4 * 365, 25)));
    assert.equal(scored.severity, undefined);
    assert.ok(scored.score < 0.4);
  });

  it('knows the most history can add, and describes the scoring with its weights', () => {
    assert.equal(mostHistoryCanAdd(), 0.3);
    const text = describeScoring();
    for (const fragment of [
      '-0.5',
      'new (under 90 days) +0.2',
      'over 3 years old -0.3',
      '0.8 or more is high',
      'counts 0.5 by name, so only its history can block it',
    ])
      assert.ok(text.includes(fragment), fragment);
  });
});

describe('summarizeFiles', () => {
  it('counts the distinct versions of wheels, sdists and eggs, and takes the oldest upload time', () => {
    const files = [
      { filename: 'python_dateutil-2.9.0-py2.py3-none-any.whl', uploadTime: Date.parse('2024-03-01T00:00:00Z') },
      { filename: 'python-dateutil-2.9.0.tar.gz', uploadTime: Date.parse('2024-03-01T00:00:01Z') },
      { filename: 'python-dateutil-2.8.2.tar.gz', uploadTime: Date.parse('2021-07-08T00:00:00Z') },
      { filename: 'python_dateutil-1.5-py2.7.egg' },
      { filename: 'python-dateutil-1.0.win32.exe', uploadTime: Date.parse('2003-01-01T00:00:00Z') },
    ];
    assert.deepEqual(summarizeFiles('python-dateutil', files), {
      firstUpload: Date.parse('2003-01-01T00:00:00Z'),
      releases: 3,
    });
    assert.deepEqual(summarizeFiles('x', [{ filename: 'x-1.0.tar.gz' }]), { firstUpload: undefined, releases: 1 });
  });
});

describe('short pairs (a name of 1–3 characters, or a 4-character pair)', () => {
  const shortIndex = new NameIndex(
    [
      ['six', 90],
      ['bs4', 798],
      ['web3', 1963],
      ['rpm', 6505],
    ].map(([key, rank]): PopularName => ({ name: key as string, key: key as string, rank: rank as number })),
  );
  const shortMatch = (name: string): SquatMatch => {
    const found = findSquat(shortIndex, name);
    assert.ok(found?.needsEvidence, name);
    return found;
  };
  // one of each technique and popularity tier: a transposition, a keyboard slip, a homoglyph, a drop
  const names = ['isx', 'bs3', 'web2', 'wb3', 'we3b', 'rp', 'rpmm', 's1x'];

  it('count the same by name whatever the technique and target: reported, never blocking', () => {
    for (const name of names) {
      const found = shortMatch(name);
      assert.equal(found.confidence, 0.5, name);
      const offline = scoreSquat(found, evidence({ status: 'unavailable', reason: 'offline', offline: true }));
      assert.equal(offline.severity, 'low', name);
      // the weights are visible and still sum to the score
      const sum = offline.signals.reduce((total, signal) => total + signal.weight, 0);
      assert.equal(Math.round(sum * 100) / 100, offline.score, name);
      assert.ok(weightOf(offline.signals, 'short-pair') !== undefined, name);
    }
  });

  it('block a young project with few releases, or one its index no longer lists', () => {
    for (const name of names) {
      assert.equal(scoreSquat(shortMatch(name), evidence(found(20, 1))).severity, 'high', name);
      assert.equal(
        scoreSquat(shortMatch(name), evidence({ status: 'absent', index: 'https://pypi.org/simple' })).severity,
        'high',
        name,
      );
    }
  });

  it('do not block on partial evidence, and clear an old project or one conda-forge packages', () => {
    const bs3 = shortMatch('bs3');
    assert.equal(scoreSquat(bs3, evidence(found(20, 25))).severity, 'medium', 'young, many releases');
    assert.equal(scoreSquat(bs3, evidence(found(200, 2))).severity, 'medium', 'few releases, under a year old');
    assert.equal(scoreSquat(bs3, evidence(found(5 * 365, 30))).severity, undefined, 'old, many releases');
    assert.equal(scoreSquat(bs3, evidence(found(20, 1), { onCondaForge: true })).severity, undefined);
  });

  it('stay critical when a malicious-package report names them', () => {
    const scored = scoreSquat(shortMatch('bs3'), evidence(found(9 * 365, 50), { knownMalicious: 'MAL-2024-2' }));
    assert.equal(scored.severity, 'critical');
  });
});
