/**
 * A filtered monolithic repodata (repodata.json, current_repodata.json): every record the judge
 * blocks, with its `.conda`/`.tar.bz2` twin, is left out of `packages`, `packages.conda` and the
 * CEP 48 `v3` buckets; kept `packages*` records are copied byte for byte from upstream. Package
 * URLs must lead back to the proxy: `info.base_url` is removed (files are then fetched from the
 * subdir's own URL, which is the proxy's), `v3.whl` records (wheels elsewhere, which the channel
 * route cannot enforce) are dropped, as are v3 records with an absolute `url`. Top-level keys
 * other than the known ones (the deprecated `signatures`, keyed by file name) are dropped.
 */
import { rmSync } from 'node:fs';
import { isUrl } from '../../conda/url.ts';
import { CvebuildError } from '../../errors.ts';
import { type Dict, isDict, timestampToMillis } from '../../readers/fields.ts';
import type { Judge, JudgeScope } from '../types.ts';
import { DecisionCollector, type Decisions } from './decisions.ts';
import { buildStem, condaPackage, type RecordPlace } from './package.ts';
import { PieceWriter } from './piece-writer.ts';
import type { RepodataDocument } from './records.ts';

export interface FilterContext {
  subdir: string;
  /** Upstream channel URL. */
  channel: string;
  /** Upstream URL the subdir's files are fetched from (its `base_url` resolved), with a trailing slash. */
  filesBase: string;
  /** The document's upstream URL (for messages). */
  source: string;
  judge: Judge;
  scope: JudgeScope;
}

export interface FilteredRepodata {
  file: string;
  sha256: string;
  size: number;
  /** Records left out (blocked, twins of blocked, invalid, v3 wheels). */
  withheld: number;
  /** The judge's decisions (absent when the caller decided: `withhold`). */
  decisions?: Decisions;
  /** Kept `packages*` records: file name → byte span of the record in the output. */
  kept: Map<string, { start: number; end: number }>;
}

export const V3_BUCKETS = [
  ['conda', '.conda'],
  ['tar.bz2', '.tar.bz2'],
] as const;

/** `withhold`: the caller's decision per file name (run_exports.json follows its subdir's repodata); else the judge decides. */
export async function filterRepodata(
  doc: RepodataDocument,
  context: FilterContext,
  output: string,
  withhold?: (filename: string) => boolean,
): Promise<FilteredRepodata> {
  const decisions = withhold ? undefined : await decide(doc, context);
  const withheldFile = withhold ?? ((filename: string) => decisions?.blocked.has(buildStem(filename)) ?? true);
  const writer = await PieceWriter.create(output);
  try {
    let withheld = 0;
    const kept = new Map<string, { start: number; end: number }>();
    const v3 = filteredV3(doc.v3, withheldFile);
    withheld += v3.withheld;
    await writer.write(`{"info":${JSON.stringify(rewrittenInfo(doc.info, v3.records))}`);
    // each key's records arrive together, in the document's order (either key may come first)
    const opened: string[] = [];
    let first = true;
    for await (const entry of doc.entries()) {
      if (opened.at(-1) !== entry.key) {
        if (opened.includes(entry.key))
          throw new CvebuildError('INPUT_UNRECOGNIZED', `"${entry.key}" appears twice`, { file: context.source });
        await writer.write(`${opened.length ? '}' : ''},${JSON.stringify(entry.key)}:{`);
        opened.push(entry.key);
        first = true;
      }
      if (withheldFile(entry.filename)) {
        withheld++;
        continue;
      }
      await writer.write(`${first ? '' : ','}${JSON.stringify(entry.filename)}:`);
      const start = writer.offset;
      await writer.write(entry.raw ?? (await doc.read(entry.start, entry.end)));
      kept.set(entry.filename, { start, end: writer.offset });
      first = false;
    }
    if (opened.length) await writer.write('}');
    for (const key of ['packages', 'packages.conda']) if (!opened.includes(key)) await writer.write(`,"${key}":{}`);
    await writer.write(`,"removed":${JSON.stringify(doc.removed)}`);
    if (doc.repodataVersion !== undefined) await writer.write(`,"repodata_version":${doc.repodataVersion}`);
    if (v3.records) await writer.write(`,"v3":${JSON.stringify(v3.records)}`);
    await writer.write('}');
    const { sha256, size } = await writer.finish();
    return { file: output, sha256, size, withheld, decisions, kept };
  } catch (error) {
    await writer.abandon();
    rmSync(output, { force: true });
    throw error;
  }
}

/** Judges every record (packages, packages.conda, v3 conda/tar.bz2) before a byte is written: twins may come in any order. */
async function decide(doc: RepodataDocument, context: FilterContext): Promise<Decisions> {
  const collector = new DecisionCollector(context.judge, context.scope);
  const place = (filename: string) => ({
    filename,
    subdir: context.subdir,
    channel: context.channel,
    url: context.filesBase + filename,
    source: context.source,
  });
  for await (const entry of doc.entries())
    await collector.add(entry.filename, condaPackage(entry.record, place(entry.filename)));
  await addV3Records(collector, doc.v3, place);
  return collector.finish();
}

/** The CEP 48 `v3` conda and tar.bz2 records, for the judge (a record with an absolute `url` is invalid: it leads away from the proxy). */
export async function addV3Records(
  collector: DecisionCollector,
  v3: Dict | undefined,
  place: (filename: string) => RecordPlace,
): Promise<void> {
  for (const [bucket, extension] of V3_BUCKETS) {
    const records = v3?.[bucket];
    if (!isDict(records)) continue;
    for (const [key, record] of Object.entries(records)) {
      const filename = key + extension;
      const absoluteUrl = isDict(record) && typeof record.url === 'string' && isUrl(record.url);
      await collector.add(
        filename,
        absoluteUrl
          ? { ok: false, reason: 'the v3 record points at an absolute URL' }
          : condaPackage(record, place(filename)),
      );
    }
  }
}

function filteredV3(
  v3: Dict | undefined,
  withhold: (filename: string) => boolean,
): { records?: Dict; withheld: number } {
  if (!v3) return { withheld: 0 };
  let withheld = 0;
  const records: Dict = {};
  for (const [bucket, value] of Object.entries(v3)) {
    const known = V3_BUCKETS.find(([name]) => name === bucket);
    if (!known || !isDict(value)) {
      // wheels (absolute URLs outside the channel) and buckets this proxy does not know
      withheld += isDict(value) ? Object.keys(value).length : 0;
      continue;
    }
    const kept: Dict = {};
    for (const [key, record] of Object.entries(value)) {
      if (withhold(key + known[1])) withheld++;
      else kept[key] = record;
    }
    records[bucket] = kept;
  }
  return { records, withheld };
}

/** `base_url` removed (files come from the proxy's subdir URL); CEP 48 revision counts follow the kept v3 records. */
function rewrittenInfo(info: Dict, v3: Dict | undefined): Dict {
  const { base_url: _dropped, ...rest } = info;
  const revisions = rest.repodata_revisions;
  if (!isDict(revisions) || !isDict(revisions.v3)) return rest;
  const timestamps: number[] = [];
  let count = 0;
  for (const bucket of Object.values(v3 ?? {})) {
    for (const record of Object.values(bucket as Dict)) {
      count++;
      const stamp = isDict(record) ? (record.indexed_timestamp ?? record.timestamp) : undefined;
      if (typeof stamp === 'number' && Number.isFinite(stamp)) timestamps.push(timestampToMillis(stamp));
    }
  }
  const v3Revision: Dict = { ...revisions.v3, n_packages: count };
  delete v3Revision.oldest;
  delete v3Revision.newest;
  if (timestamps.length) {
    v3Revision.oldest = timestamps.reduce((a, b) => Math.min(a, b));
    v3Revision.newest = timestamps.reduce((a, b) => Math.max(a, b));
  }
  return { ...rest, repodata_revisions: { ...revisions, v3: v3Revision } };
}
