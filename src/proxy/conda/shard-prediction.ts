/**
 * Which shards of a sharded subdir the filter would change, predicted from one streamed read of the
 * subdir's monolithic repodata (`repodata.json.zst`, else `repodata.json`) instead of fetching
 * every shard (~30k requests at conda-forge's size). Every record is judged as on the monolithic
 * path; a name with any record the judge blocks or cannot read, or a record the shard filter drops
 * (v3 wheels, unknown v3 buckets), is "blocked": only those names' shards are fetched, filtered and
 * rehashed. The others keep upstream's hash, but only as a prediction: the monolithic document and
 * the shard index may come from different upstream snapshots, so the channel judges each predicted
 * shard's own records before it passes it through (fail closed).
 *
 * One pass over the stream: a key that appears twice is judged twice, and either occurrence being
 * blocked marks its name (over-marking only costs a fetch).
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createZstdDecompress } from 'node:zlib';
import { RepodataStream } from '../../conda/repodata-stream.ts';
import { parseCondaArchiveName } from '../../conda/url.ts';
import { CvebuildError } from '../../errors.ts';
import { normalizeCondaName } from '../../model/package.ts';
import { isDict } from '../../readers/fields.ts';
import { DecisionCollector, type Decisions } from './decisions.ts';
import { buildStem, condaPackage, type RecordPlace } from './package.ts';
import { addV3Records, type FilterContext, V3_BUCKETS } from './repodata-filter.ts';

/** conda-forge linux-64's repodata.json is 254–363 MB: a decompressed stream past this is a bomb. */
const MAX_DECOMPRESSED_BYTES = 8 * 1024 * 1024 * 1024;

export interface ShardPrediction {
  /** The monolithic document's sha256 (which snapshot the prediction speaks for). */
  sha256: string;
  /** The judge's decisions over every record of the document. */
  decisions: Decisions;
  /** Normalized names with at least one record in the document. */
  names: Set<string>;
  /** Normalized names whose shard the filter would change. */
  blockedNames: Set<string>;
  /** Every `packages*` file name the document lists. */
  files: Set<string>;
  records: number;
}

/** The same facts a repodata filter needs: a prediction is that filter's judging without the writing. */
export type PredictionContext = FilterContext;

/** `file`: the document as upstream sent it; `zstd`: whether it is `repodata.json.zst`. */
export async function predictShards(
  file: string,
  zstd: boolean,
  sha256: string,
  context: PredictionContext,
): Promise<ShardPrediction> {
  const collector = new DecisionCollector(context.judge, context.scope);
  const names = new Set<string>();
  const files = new Set<string>();
  const blockedNames = new Set<string>();
  /** Stems whose record's `name` differs from its file name's (invalid, so blocked): the shard it sits in is named by the record. */
  const otherNames = new Map<string, string>();
  const place = (filename: string): RecordPlace => ({
    filename,
    subdir: context.subdir,
    channel: context.channel,
    url: context.filesBase + filename,
    source: context.source,
  });
  const note = (filename: string, record: unknown) => {
    const name = parseCondaArchiveName(filename)?.name;
    if (name !== undefined) names.add(normalizeCondaName(name));
    const recordName = isDict(record) && typeof record.name === 'string' ? normalizeCondaName(record.name) : undefined;
    if (recordName !== undefined && recordName !== (name && normalizeCondaName(name))) {
      names.add(recordName);
      otherNames.set(buildStem(filename), recordName);
    }
  };
  const stream = new RepodataStream(documentChunks(file, zstd, context.source), { source: context.source });
  let records = 0;
  for await (const entry of stream) {
    records++;
    files.add(entry.filename);
    note(entry.filename, entry.record);
    await collector.add(entry.filename, condaPackage(entry.record, place(entry.filename)));
  }
  const v3 = stream.top.other.v3;
  if (v3 !== undefined && !isDict(v3))
    throw new CvebuildError('INPUT_UNRECOGNIZED', 'expected a mapping', { file: context.source, key: 'v3' });
  for (const [bucket, records] of Object.entries(v3 ?? {})) {
    if (!isDict(records)) continue;
    const known = V3_BUCKETS.find(([name]) => name === bucket);
    for (const [key, record] of Object.entries(records)) {
      if (known) {
        note(key + known[1], record);
        continue;
      }
      // wheels and buckets the filter does not know are dropped from a shard: its name is changed
      const name = isDict(record) && typeof record.name === 'string' ? record.name : undefined;
      if (name !== undefined) blockedNames.add(normalizeCondaName(name));
    }
  }
  await addV3Records(collector, isDict(v3) ? v3 : undefined, place);
  const decisions = await collector.finish();
  for (const stem of decisions.blocked.keys()) {
    const name = parseCondaArchiveName(`${stem}.conda`)?.name;
    if (name !== undefined) blockedNames.add(normalizeCondaName(name));
    const other = otherNames.get(stem);
    if (other !== undefined) blockedNames.add(other);
  }
  return { sha256, decisions, names, blockedNames, files, records };
}

/** The document's bytes, decompressed on the fly when it is zstd (never all in memory). */
async function* documentChunks(file: string, zstd: boolean, source: string): AsyncIterable<Uint8Array> {
  const raw = createReadStream(file, { highWaterMark: 1024 * 1024 });
  // the callback form destroys every stream when the consumer stops early or one fails
  const chunks = zstd ? pipeline(raw, createZstdDecompress(), () => {}) : raw;
  let size = 0;
  try {
    for await (const chunk of chunks as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > MAX_DECOMPRESSED_BYTES)
        throw new CvebuildError('INPUT_TOO_LARGE', `more than ${MAX_DECOMPRESSED_BYTES} bytes decompressed`, {
          file: source,
        });
      yield chunk;
    }
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw new CvebuildError('INPUT_UNRECOGNIZED', `not readable: ${(error as Error).message}`, { file: source });
  }
}
