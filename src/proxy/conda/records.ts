/**
 * The one place the conda front end reads a monolithic repodata document (repodata.json,
 * current_repodata.json): top-level fields parsed, package records as entries with the byte span
 * of each record as upstream wrote it. The filter judges the parsed record and copies the span.
 *
 * Read as a stream (`src/conda/repodata-stream.ts`): conda-forge's linux-64 document is 254–363 MB,
 * close to V8's string limit, so it is never one string. A first pass validates the document,
 * collects the top-level values and notes where each record's last occurrence is (a repeated key:
 * the last one wins, as in `JSON.parse` and the clients' parsers); `entries()` streams the records
 * again from disk, each parsed from its own span, so the record judged is exactly the bytes copied.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { type RepodataEntry, RepodataStream } from '../../conda/repodata-stream.ts';
import { CvebuildError } from '../../errors.ts';
import { type Dict, describeType, isDict } from '../../readers/fields.ts';

export type RecordKey = 'packages' | 'packages.conda';

export interface RecordEntry {
  key: RecordKey;
  filename: string;
  record: unknown;
  /** Byte offsets of the record's value (`{...}`) in the file. */
  start: number;
  end: number;
  /** The record's bytes, when the reader has them at hand (else `read(start, end)`). */
  raw?: Uint8Array;
}

export interface RepodataDocument {
  info: Dict;
  removed: string[];
  repodataVersion?: number;
  /** CEP 48 `v3` as parsed (`{conda, "tar.bz2", whl}` of records keyed without extension). */
  v3?: Dict;
  /** Other top-level keys upstream wrote (`signatures`, ...): the filter drops them (fail closed). */
  otherKeys: string[];
  /** The package records in document order; each call reads them again. */
  entries(): AsyncIterable<RecordEntry>;
  /** Reads the bytes of a span (to copy a kept record). */
  read(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

const TOP_LEVEL = new Set(['info', 'packages', 'packages.conda', 'removed', 'repodata_version', 'v3']);

/** `source` names the document in errors (its upstream URL). */
export async function readRecords(file: string, source: string): Promise<RepodataDocument> {
  const stream = () => new RepodataStream(createReadStream(file, { highWaterMark: 1024 * 1024 }), { source });
  // first pass: validate everything, keep the top level and each record's last occurrence
  const first = stream();
  const last = new Map<string, number>();
  for await (const entry of first) last.set(`${entry.key}\0${entry.filename}`, entry.start);
  const top = first.top;
  const invalid = (key: string, message: string): never => {
    throw new CvebuildError('INPUT_UNRECOGNIZED', message, { file: source, key });
  };
  const info = top.info ?? {};
  if (!isDict(info)) invalid('info', `expected a mapping, found ${describeType(info)}`);
  const removed = top.removed ?? [];
  if (!Array.isArray(removed) || removed.some((item) => typeof item !== 'string'))
    invalid('removed', 'expected a list of file names');
  const version = top.repodata_version;
  if (version !== undefined && !Number.isSafeInteger(version))
    invalid('repodata_version', `expected an integer, found ${describeType(version)}`);
  const v3 = top.other.v3;
  if (v3 !== undefined && !isDict(v3)) invalid('v3', `expected a mapping, found ${describeType(v3)}`);
  const otherKeys = Object.keys(top.other).filter((key) => !TOP_LEVEL.has(key));
  const handle = await open(file, 'r');
  return {
    info: info as Dict,
    removed: removed as string[],
    repodataVersion: version as number | undefined,
    v3: v3 as Dict | undefined,
    otherKeys,
    async *entries() {
      for await (const entry of stream() as AsyncIterable<RepodataEntry>) {
        if (last.get(`${entry.key}\0${entry.filename}`) !== entry.start) continue;
        yield entry;
      }
    },
    async read(start, end) {
      const bytes = Buffer.alloc(end - start);
      const { bytesRead } = await handle.read(bytes, 0, bytes.byteLength, start);
      if (bytesRead !== bytes.byteLength)
        throw new CvebuildError('INPUT_UNREADABLE', 'repodata changed while it was filtered', { file: source });
      return bytes;
    },
    async close() {
      await handle.close();
    },
  };
}
