/**
 * Range evaluation against the corpus: for every PyPI affected entry that carries both ECOSYSTEM/SEMVER
 * ranges and a `versions` list (PyPA enumerates the releases inside its ranges), each listed version
 * must be affected by the ranges alone. Every disagreement is a documented exception below, or a failure.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AffectedPackage, AffectedRange, RangeEvent } from '../../src/intel/model.ts';
import { isAffected, type Verdict } from '../../src/intel/ranges.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';

const SKIP = !hasCorpus && 'needs ../shared/corpus';

const FILES = [
  'intel/osv-pypi-pysec.jsonl',
  'intel/osv-pypi-ghsa.jsonl',
  'intel/osv-pypi-malicious.jsonl',
  'intel/osv-pypi-malicious-recent.jsonl',
];

/**
 * Listed versions that are not PEP 440 (legacy PyPI releases, timestamps, git suffixes). No range can
 * order them, so the matcher says `undecided` for the ranges; the exact listing still matches them.
 */
const LISTED_NOT_PEP440 = new Set([
  '-class.-jw.util.version.Version-',
  ...['0.1-bulbasaur', '0.1-charmander', '0.9-doduo', '0.9-eevee', '0.9-fearow', '0.9-gyarados', '0.9-horsea'],
  '0.9-ivysaur',
  ...['120828c', '120d5ee', '189a35c', '1edddad', '2be7de8', '2d642e0', '3ebcae0', '40ec104', '53f669a', '6c816f0'].map(
    (sha) => `0.1.0.dev-${sha}`,
  ),
  ...['7788a17', '8144a45', 'a7b594e', 'a91e8ab', 'abb4137', 'c770a5c', 'fea5c40'].map((sha) => `0.1.0.dev-${sha}`),
  ...['0.3.1-p1', '0.4.0-p1', '0.3.2d', '0.3.2d.dev', '0.3.2e.dev', '0.3.2f', '0.3.2f.dev', '0.3.2g.dev', '0.7.0d'],
  ...['0.3X', '0.3m1', '0.3m2', '0.3m3', '0.3m4', '0.3m5', '0.4m1', '0.4m2', '0.4m3', '0.4m4', '0.4m5', '0.5m1'],
  ...['0.5m2', '0.5m3', '0.5m4', '0.5m5', '0.6m1', '0.6m2', '0.6m3', '0.6m4', '0.6m5', '0.6m6'],
  ...['0.7.1.fix1', '0.7.4.svn.r2010', '0.7.10p1', '0.7.11p1', '0.7.11p2', '0.7.11p3', '0.8.1p1', '0.8.3p1'],
  ...['0.8.4p1', '0.8.4p2', '0.8.6p1', '0.8.7p1', '1.0beta6.1', '2.0.0-final', '2.0.1rc2-git', '3.0.0b3-'],
  ...['4.11-final', '5.0-final', 'a3', 'trunk'],
  ...['2013-01-21T20:33:09+0100', '2013-01-23T17:11:52+0100', '2013-02-01T20:50:46+0100', '2013-02-02T19:59:03+0100'],
  ...['2013-02-02T20:23:17+0100', '2013-02-08T17:40:57+0000', '2013-03-27T16:32:26+0100', '2013-05-09T12:47:53+0200'],
  ...['2013-05-10T17:55:56+0200', '2013-05-14T20:16:05+0200', '2013-06-01T10:32:51+0200', '2013-07-19T09:11:08+0000'],
  ...['2013-08-12T21:48:56+0200', '2013-09-11T19-27-10', '2013-12-23T17-51-15', '2014-01-12T15-52-10'],
]);

/** Records whose range events are not PEP 440: the ranges are undecided for every version. */
const EVENTS_NOT_PEP440: Record<string, string> = {
  'PYSEC-2026-686':
    'neutron: fixed events are Red Hat package releases (7.2.0-12.1, 8.3.0-11.1, 9.3.1-2.1, 10.0.2-1.1)',
  'PYSEC-2026-1194': 'assemblyline-service-client: fixed 4.6.0.stable11 is not PEP 440',
};

/** Listed versions the ranges, evaluated as OSV specifies, do not cover: source inconsistencies. */
const RANGE_DISAGREEMENTS: Record<string, { versions: string[]; reason: string }> = {
  'PYSEC-2021-114': {
    versions: ['2.11.6'],
    reason:
      'wagtail: overlapping pairs in one range ({introduced 2.11, fixed 2.11.7}, {introduced 0, fixed 2.11.6}); ' +
      'OSV sorts the events, so fixed 2.11.6 closes the range before fixed 2.11.7: 2.11.6 is not in it',
  },
  'PYSEC-2023-61': {
    versions: ['3.2a1', '3.2b1', '3.2rc1', '4.2a1', '4.2b1', '4.2rc1'],
    reason:
      'django: pre-releases of the introduced versions 3.2 and 4.2 are listed, yet sort before them ' +
      '(the 4.0 pre-releases, equally below introduced 4.0, are not listed)',
  },
};

interface Checked {
  id: string;
  entry: AffectedPackage;
  listed: string[];
}

function toRange(range: { type: string; events: RangeEvent[] }): AffectedRange | undefined {
  return range.type === 'ECOSYSTEM' || range.type === 'SEMVER' ? { type: range.type, events: range.events } : undefined;
}

/** PyPI entries with both ranges (GIT dropped) and versions; the entry's own list is left out of it. */
function loadEntries(): Checked[] {
  const checked: Checked[] = [];
  for (const file of FILES) {
    for (const line of readFileSync(corpus(file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const record = JSON.parse(line);
      for (const affected of record.affected ?? []) {
        if (affected.package?.ecosystem !== 'PyPI') continue;
        const ranges: AffectedRange[] = (affected.ranges ?? []).flatMap((r: never) => toRange(r) ?? []);
        const listed: string[] = affected.versions ?? [];
        if (ranges.length === 0 || listed.length === 0) continue;
        const name: string = affected.package.name;
        const normalizedName = name.toLowerCase().replace(/[-_.]+/g, '-');
        const entry: AffectedPackage = {
          ecosystem: 'PyPI',
          name,
          normalizedName,
          scheme: 'pep440',
          ranges,
          versions: [],
        };
        checked.push({ id: record.id, entry, listed });
      }
    }
  }
  return checked;
}

/** Why a disagreement is expected, or undefined when it is not. */
function knownException(id: string, version: string, verdict: Verdict): string | undefined {
  if (verdict && 'undecided' in verdict && verdict.undecided === 'unparseable') {
    if (EVENTS_NOT_PEP440[id]) return 'event not PEP 440';
    if (verdict.values.length === 1 && verdict.values[0] === version && LISTED_NOT_PEP440.has(version)) {
      return 'listed version not PEP 440';
    }
  }
  if (verdict === undefined && RANGE_DISAGREEMENTS[id]?.versions.includes(version)) return 'source inconsistency';
  return undefined;
}

describe('corpus: listed versions lie inside their ranges', { skip: SKIP }, () => {
  const entries = hasCorpus ? loadEntries() : [];

  it('agrees on every listed version, apart from the documented exceptions', () => {
    let versions = 0;
    let agreed = 0;
    const excused = new Map<string, number>();
    const seenUnreadable = new Set<string>();
    const seenRecords = new Set<string>();
    const failures: string[] = [];
    const started = performance.now();
    for (const { id, entry, listed } of entries) {
      for (const version of listed) {
        versions++;
        const verdict = isAffected(version, entry);
        if (verdict && 'by' in verdict) {
          agreed++;
          continue;
        }
        const reason = knownException(id, version, verdict);
        if (!reason) {
          failures.push(`${id} ${entry.name} ${version}: ${JSON.stringify(verdict)}`);
          continue;
        }
        excused.set(reason, (excused.get(reason) ?? 0) + 1);
        if (reason === 'listed version not PEP 440') seenUnreadable.add(version);
        else seenRecords.add(id);
      }
    }
    const elapsed = performance.now() - started;

    console.log(`checked ${entries.length} entries, ${versions} listed versions: ${agreed} agree`);
    for (const [reason, count] of excused) console.log(`  documented exception "${reason}": ${count} versions`);
    console.log(`  evaluation: ${elapsed.toFixed(0)} ms, ${((elapsed * 1000) / versions).toFixed(2)} µs per version`);

    assert.deepEqual(failures, [], `${failures.length} undocumented disagreements`);
    // Every documented exception still occurs, so that the list cannot silently go stale.
    assert.deepEqual(
      [...LISTED_NOT_PEP440].filter((v) => !seenUnreadable.has(v)),
      [],
    );
    const documented = [...Object.keys(EVENTS_NOT_PEP440), ...Object.keys(RANGE_DISAGREEMENTS)];
    assert.deepEqual(
      documented.filter((id) => !seenRecords.has(id)),
      [],
    );
    assert.ok(entries.length > 6000, `${entries.length} entries`);
  });

  it('evaluates the corpus again from warm caches (timing only)', () => {
    const started = performance.now();
    let versions = 0;
    for (const { entry, listed } of entries) {
      for (const version of listed) {
        isAffected(version, entry);
        versions++;
      }
    }
    const elapsed = performance.now() - started;
    console.log(`  warm: ${elapsed.toFixed(0)} ms for ${versions} versions`);
  });
});
