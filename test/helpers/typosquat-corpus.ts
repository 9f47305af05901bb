/**
 * Labelled real names for measuring the typosquat score (bench/typosquat-precision.ts and
 * test/corpus/typosquat-evidence.test.ts), all read from ../shared/corpus/intel:
 *
 * - **Squats**: PyPI names that malicious-package reports name (the name index, the OSV MAL
 *   records, and PyPA records aliasing a MAL id or titled "Malicious code"), outside the top-PyPI
 *   list, at OSA distance 1 (or exactly 2) from a popular name.
 * - **Legitimate names outside the top list**: the PyPI names conda-forge packages (parselmouth),
 *   and the projects PyPA advisories are about (a CVE is filed against a real project), minus every
 *   name a malicious-package report names and every top-list name.
 *
 * No upload times are in the corpus (no simple-API or PyPI JSON pages), so the project history
 * is approximated from the advisories, and each approximation errs against the score:
 * - a squat's first upload is its report's `published` (the earliest time any record gives: the
 *   origins' times never precede it), and it is audited `ageDays` later; its releases are the
 *   versions its records list (affected and per-origin), or, for a record meaning "every version",
 *   `unknownReleases`;
 * - a legitimate project's first upload is the earliest of its advisories' `published` and the
 *   31 December of the year of its oldest CVE id (it existed when the CVE was assigned), so it is
 *   made younger than it is; its releases are the versions its advisories list, a lower bound; it is
 *   audited on the PyPA snapshot's date.
 * Names with no record (the name index alone, the conda-forge names) get no history.
 *
 * Every name falls in one half by the first byte of its sha256 (even: tune, odd: test): the weights
 * were tuned on the first and are reported on the second.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IndexFile } from '../../src/cooldown/simple-api.ts';
import { normalizePypiName } from '../../src/model/package.ts';
import { osaDistance } from '../../src/typosquat/distance.ts';
import { deletions } from '../../src/typosquat/variants.ts';
import { corpus } from './paths.ts';

const DAY = 86_400_000;

/** The date of the PyPA advisory snapshot (intel MANIFEST §1): "now" for the legitimate projects. */
export const PYPA_SNAPSHOT = Date.parse('2026-07-23T00:00:00Z');

export type Half = 'tune' | 'test';

export function halfOf(name: string): Half {
  return (createHash('sha256').update(name).digest()[0] as number) % 2 === 0 ? 'tune' : 'test';
}

/** What the corpus says about a project's history; undefined fields are unknown. */
export interface ApproximateHistory {
  /** ms since the epoch. */
  firstUpload: number;
  /** Listed versions; undefined when the record means "every version" and lists none. */
  versions?: string[];
  /** Where the approximation comes from (a record id). */
  from: string;
}

export interface SquatName {
  name: string;
  half: Half;
  /** The closest top-list names at distance 1 (top 1,000 / whole list) and 2 (top 1,000 / whole list). */
  oneEditFromTop1000: boolean;
  oneEditFromTop: boolean;
  twoEditsFromTop1000: boolean;
  twoEditsFromTop: boolean;
  history?: ApproximateHistory;
}

export interface LegitName {
  name: string;
  half: Half;
  onCondaForge: boolean;
  history?: ApproximateHistory;
}

export interface TyposquatCorpus {
  top: { name: string; key: string; rank: number }[];
  squats: SquatName[];
  legit: LegitName[];
}

interface OsvRecord {
  id: string;
  published: string;
  withdrawn?: string;
  summary?: string;
  aliases?: string[];
  affected?: { package?: { ecosystem?: string; name?: string }; versions?: string[] }[];
  database_specific?: { 'malicious-packages-origins'?: { versions?: string[] }[] };
}

function jsonLines<T>(relative: string): T[] {
  return readFileSync(corpus(`intel/${relative}`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

function pypiNames(record: OsvRecord): string[] {
  return (record.affected ?? [])
    .filter((entry) => entry.package?.ecosystem === 'PyPI' && entry.package.name)
    .map((entry) => normalizePypiName(entry.package?.name as string));
}

function isMalware(record: OsvRecord): boolean {
  return (
    record.id.startsWith('MAL-') ||
    (record.aliases ?? []).some((alias) => alias.startsWith('MAL-')) ||
    /^Malicious code/.test(record.summary ?? '')
  );
}

/** Folds one record into a name's history: the earliest date, and every version it lists. */
function fold(histories: Map<string, ApproximateHistory>, name: string, record: OsvRecord, first: number): void {
  const listed = [
    ...(record.affected ?? []).flatMap((entry) =>
      normalizePypiName(entry.package?.name ?? '') === name ? (entry.versions ?? []) : [],
    ),
    ...(record.database_specific?.['malicious-packages-origins'] ?? []).flatMap((origin) => origin.versions ?? []),
  ];
  const known = histories.get(name);
  const versions = [...new Set([...(known?.versions ?? []), ...listed])];
  const earliest = known && known.firstUpload <= first;
  histories.set(name, {
    firstUpload: earliest ? known.firstUpload : first,
    ...(versions.length > 0 ? { versions } : {}),
    from: earliest ? known.from : record.id,
  });
}

/** 31 December of the oldest CVE id's year, if the record has one. */
function cveYearEnd(record: OsvRecord): number | undefined {
  const years = [record.id, ...(record.aliases ?? [])]
    .map((id) => /^CVE-(\d{4})-/.exec(id)?.[1])
    .filter((year): year is string => year !== undefined)
    .map(Number);
  return years.length > 0 ? Date.UTC(Math.min(...years), 11, 31) : undefined;
}

let loaded: TyposquatCorpus | undefined;

export function typosquatCorpus(): TyposquatCorpus {
  if (loaded) return loaded;
  const rows = (
    JSON.parse(readFileSync(corpus('intel/top-pypi-packages.min.json'), 'utf8')) as { rows: { project: string }[] }
  ).rows;
  const top = rows.map((row, i) => ({ name: row.project, key: normalizePypiName(row.project), rank: i + 1 }));
  const topKeys = new Set(top.map((entry) => entry.key));

  const malicious = new Set(
    jsonLines<{ name: string }>('pypi-malicious-names.jsonl').map((e) => normalizePypiName(e.name)),
  );
  const squatHistory = new Map<string, ApproximateHistory>();
  for (const file of ['osv-pypi-malicious.jsonl', 'osv-pypi-malicious-recent.jsonl', 'osv-pypi-pysec.jsonl']) {
    for (const record of jsonLines<OsvRecord>(file)) {
      if (record.withdrawn || !isMalware(record)) continue;
      for (const name of pypiNames(record)) {
        malicious.add(name);
        fold(squatHistory, name, record, Date.parse(record.published));
      }
    }
  }

  const legitHistory = new Map<string, ApproximateHistory>();
  for (const record of jsonLines<OsvRecord>('osv-pypi-pysec.jsonl')) {
    if (record.withdrawn || isMalware(record)) continue;
    const first = Math.min(Date.parse(record.published), cveYearEnd(record) ?? Number.POSITIVE_INFINITY);
    for (const name of pypiNames(record)) fold(legitHistory, name, record, first);
  }
  const mapping = JSON.parse(
    readFileSync(corpus('intel/conda-forge/parselmouth-conda-forge-compressed_mapping.v0.json'), 'utf8'),
  ) as Record<string, string[] | null>;
  const onCondaForge = new Set(
    Object.values(mapping)
      .flat()
      .filter((name): name is string => typeof name === 'string')
      .map(normalizePypiName),
  );

  const near = oneEditIndex(top.map((entry) => entry.key));
  const twoEdits = twoEditScan(top.map((entry) => entry.key));
  const rankOf = new Map(top.map((entry) => [entry.key, entry.rank]));
  const squats: SquatName[] = [];
  for (const name of malicious) {
    if (topKeys.has(name)) continue;
    const ranks = near(name).map((key) => rankOf.get(key) ?? Number.POSITIVE_INFINITY);
    const oneEditFromTop1000 = ranks.some((rank) => rank <= 1000);
    const twoRanks = twoEdits(name).map((key) => rankOf.get(key) ?? Number.POSITIVE_INFINITY);
    const twoEditsFromTop1000 = !oneEditFromTop1000 && twoRanks.some((rank) => rank <= 1000);
    if (ranks.length === 0 && twoRanks.length === 0) continue;
    squats.push({
      name,
      half: halfOf(name),
      oneEditFromTop1000,
      oneEditFromTop: ranks.length > 0,
      twoEditsFromTop1000,
      twoEditsFromTop: ranks.length === 0 && twoRanks.length > 0,
      history: squatHistory.get(name),
    });
  }
  const legit: LegitName[] = [];
  for (const name of new Set([...onCondaForge, ...legitHistory.keys()])) {
    if (topKeys.has(name) || malicious.has(name)) continue;
    legit.push({ name, half: halfOf(name), onCondaForge: onCondaForge.has(name), history: legitHistory.get(name) });
  }
  loaded = { top, squats, legit };
  return loaded;
}

/** The popular keys at OSA distance exactly 1 from a name: symmetric deletions, then verified. */
function oneEditIndex(keys: string[]): (name: string) => string[] {
  const byVariant = new Map<string, string[]>();
  const file = (variant: string, key: string) => {
    const list = byVariant.get(variant);
    if (list) list.push(key);
    else byVariant.set(variant, [key]);
  };
  for (const key of keys) {
    file(key, key);
    for (const variant of deletions(key)) file(variant, key);
  }
  return (name) => {
    const found = new Set<string>();
    for (const variant of [name, ...deletions(name)])
      for (const key of byVariant.get(variant) ?? []) if (osaDistance(name, key, 1) === 1) found.add(key);
    return [...found];
  };
}

/**
 * The popular keys at OSA distance exactly 2 from a name: keys of a near length whose character
 * sets differ by at most two characters each way, then measured.
 */
function twoEditScan(keys: string[]): (name: string) => string[] {
  const maskOf = (key: string) => {
    let mask = 0;
    for (let i = 0; i < key.length; i++) mask |= 1 << (key.charCodeAt(i) & 31);
    return mask;
  };
  const bits = (value: number) => {
    let count = 0;
    for (let v = value; v !== 0; v &= v - 1) count++;
    return count;
  };
  const masks = keys.map(maskOf);
  return (name) => {
    const mask = maskOf(name);
    return keys.filter(
      (key, i) =>
        Math.abs(key.length - name.length) <= 2 &&
        bits((masks[i] as number) & ~mask) <= 2 &&
        bits(mask & ~(masks[i] as number)) <= 2 &&
        osaDistance(name, key, 2) === 2,
    );
  };
}

/**
 * The index page files an approximate history stands for: one sdist per version (or
 * `releases` made-up versions when none is listed), each uploaded at the first upload time.
 */
export function filesOf(name: string, history: ApproximateHistory, unknownReleases: number): IndexFile[] {
  const versions = history.versions ?? Array.from({ length: unknownReleases }, (_, i) => `0.0.${i + 1}`);
  return versions.map((version) => ({ filename: `${name}-${version}.tar.gz`, uploadTime: history.firstUpload }));
}

/** When a squat is audited: `ageDays` after its first upload. */
export function squatAuditTime(history: ApproximateHistory, ageDays: number): number {
  return history.firstUpload + ageDays * DAY;
}
