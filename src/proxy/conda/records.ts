/**
 * The one place the conda front end reads a monolithic repodata document (repodata.json,
 * current_repodata.json): top-level fields parsed, package records as entries with the byte span
 * of each record as upstream wrote it. The filter judges the parsed record and copies the span.
 *
 * For now the document is read into memory (JSON.parse to validate, then each record's span is
 * parsed on its own, so the record judged is exactly the bytes copied even when upstream repeats a
 * key), capped at 512 MiB. The streaming reader (`src/conda/repodata-stream.ts`) replaces this
 * body at merge: same shape, `entries()` streamed from disk.
 */
import { open, stat } from 'node:fs/promises';
import { CvebuildError } from '../../errors.ts';
import { type Dict, describeType, isDict } from '../../readers/fields.ts';
import { objectMembers } from './json-spans.ts';

/** Past this a document is refused: V8 cannot hold it as one string (536,870,888 chars). */
export const MAX_IN_MEMORY_REPODATA_BYTES = 512 * 1024 * 1024;

export type RecordKey = 'packages' | 'packages.conda';

export interface RecordEntry {
  key: RecordKey;
  filename: string;
  record: unknown;
  /** Byte offsets of the record's value (`{...}`) in the file. */
  start: number;
  end: number;
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
  const size = (await stat(file)).size;
  if (size > MAX_IN_MEMORY_REPODATA_BYTES) {
    throw new CvebuildError(
      'INPUT_TOO_LARGE',
      `repodata is ${size} bytes, more than the ${MAX_IN_MEMORY_REPODATA_BYTES} this reader holds in memory`,
      { file: source },
    );
  }
  const handle = await open(file, 'r');
  let bytes: Buffer;
  try {
    bytes = await handle.readFile();
  } finally {
    await handle.close();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new CvebuildError('JSON_SYNTAX', `not JSON: ${(error as Error).message}`, { file: source });
  }
  const invalid = (key: string, message: string): never => {
    throw new CvebuildError('INPUT_UNRECOGNIZED', message, { file: source, key });
  };
  if (!isDict(parsed)) return invalid('', `expected a JSON object, found ${describeType(parsed)}`);
  const info = parsed.info ?? {};
  if (!isDict(info)) invalid('info', `expected a mapping, found ${describeType(info)}`);
  const removed = parsed.removed ?? [];
  if (!Array.isArray(removed) || removed.some((item) => typeof item !== 'string'))
    invalid('removed', 'expected a list of file names');
  const version = parsed.repodata_version;
  if (version !== undefined && !Number.isSafeInteger(version))
    invalid('repodata_version', `expected an integer, found ${describeType(version)}`);
  const v3 = parsed.v3;
  if (v3 !== undefined && !isDict(v3)) invalid('v3', `expected a mapping, found ${describeType(v3)}`);
  for (const key of ['packages', 'packages.conda'] as const) {
    const value = parsed[key];
    if (value !== undefined && !isDict(value)) invalid(key, `expected a mapping, found ${describeType(value)}`);
  }
  const otherKeys = Object.keys(parsed).filter((key) => !TOP_LEVEL.has(key));
  parsed = undefined; // the spans are read from the bytes; the parsed tree can go

  // the last occurrence of a key wins, as in JSON.parse (and in the clients' parsers)
  const top = new Map(objectMembers(bytes, 0).map((member) => [member.key, member]));
  const spans: { key: RecordKey; filename: string; start: number; end: number }[] = [];
  for (const key of ['packages', 'packages.conda'] as const) {
    const member = top.get(key);
    if (!member) continue;
    const members = new Map(objectMembers(bytes, member.start).map((span) => [span.key, span]));
    for (const [filename, span] of members) spans.push({ key, filename, start: span.start, end: span.end });
  }
  return {
    info: info as Dict,
    removed: removed as string[],
    repodataVersion: version as number | undefined,
    v3: v3 as Dict | undefined,
    otherKeys,
    async *entries() {
      for (const span of spans) {
        const record: unknown = JSON.parse(bytes.toString('utf8', span.start, span.end));
        yield { ...span, record };
      }
    },
    async read(start, end) {
      return bytes.subarray(start, end);
    },
    async close() {},
  };
}
