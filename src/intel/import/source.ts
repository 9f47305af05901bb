/**
 * Reading feed files for import: bounded reads with a sha256 of the exact bytes, JSON documents and
 * JSON-lines with line numbers, and the FEED_INVALID error every importer raises for bad input.
 */
import { CvebuildError, type ErrorLocation } from '../../errors.ts';
import { fsError, readInputBytes } from '../../fs/read-input.ts';
import { regularFileStream } from '../../fs/regular-file.ts';
import { createSha256 } from '../../util/on-demand-crypto.ts';

/**
 * The largest single record (one JSON-lines line, one archive entry, one single-record file) an
 * import reads. Real ones are a few KB; the largest PyPI advisories (long `versions` lists) stay
 * under 100 KB. Past this, a record is refused rather than parsed: parsing multiplies its size in
 * memory several times over.
 */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

export function recordTooLarge(size: number, location: ErrorLocation, unit = 'bytes'): CvebuildError {
  return feedInvalid(`record of ${size} ${unit} is over the limit of ${MAX_RECORD_BYTES} for one record`, location);
}

export function feedInvalid(message: string, location: ErrorLocation): CvebuildError {
  return new CvebuildError('FEED_INVALID', message, location);
}

export interface FeedText {
  text: string;
  sha256: string;
}

/** Files named as JSON-lines are read as such, never tried as one JSON document. */
export function isJsonLinesName(path: string): boolean {
  return /\.(jsonl|ndjson)$/i.test(path);
}

/**
 * A text feed file: size-capped like every input, hashed as read. A JSON-lines file has each line
 * measured against the one-record limit on its bytes, before any of it is decoded: a 60 MB line is
 * refused holding only the bytes, instead of after copying it into a string.
 */
export function readFeedText(path: string): FeedText {
  const bytes = readInputBytes(path);
  if (isJsonLinesName(path)) refuseLongLines(bytes, path);
  const sha256 = createSha256().update(bytes).digest('hex');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw feedInvalid('not UTF-8 text', { file: path });
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, sha256 };
}

function refuseLongLines(bytes: Uint8Array, path: string): void {
  let start = 0;
  let line = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    line++;
    if (end - start > MAX_RECORD_BYTES) throw recordTooLarge(end - start, { file: path, line });
    start = end + 1;
  }
}

/** sha256 of a file too large to hold (archives), streamed. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createSha256();
  try {
    for await (const chunk of regularFileStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    throw fsError(path, error);
  }
  return hash.digest('hex');
}

export function sha256Hex(text: string): string {
  return createSha256().update(text).digest('hex');
}

/** sha256 standing for several sources imported as one feed: over their own checksums, in order. */
export function combinedChecksum(checksums: readonly string[]): string {
  if (checksums.length === 1 && checksums[0] !== undefined) return checksums[0];
  return sha256Hex(checksums.join('\n'));
}

export interface JsonLine {
  value: unknown;
  line: number;
}

/** Each non-blank line parsed as JSON; a bad line is a FEED_INVALID naming the file and line. */
export function* jsonLines(text: string, path: string): Generator<JsonLine> {
  let start = 0;
  let line = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    line++;
    if (end - start > MAX_RECORD_BYTES) throw recordTooLarge(end - start, { file: path, line }, 'characters');
    const content = text.slice(start, end).trim();
    start = end + 1;
    if (content === '') continue;
    try {
      yield { value: JSON.parse(content), line };
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      throw feedInvalid(`not valid JSON-lines: ${firstLine(error.message)}`, { file: path, line });
    }
  }
}

/** A whole-file JSON document, or why the text is not one. */
export function parseJsonDocument(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    return { error: firstLine(error.message) };
  }
}

export function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const asString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

export const strings = (value: unknown): string[] =>
  asArray(value).filter((item): item is string => typeof item === 'string' && item !== '');
