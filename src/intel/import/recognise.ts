/**
 * Which importer reads a file, decided from its content (and, where two formats share a shape, its
 * file name or `--feed`): curl's vuln.pm, or a JSON document or JSON-lines whose first record says
 * what it is.
 */
import type { FeedName } from '../model.ts';
import { isCurlVulnerabilityRecord, looksLikeCurlVulnPm, prepareCurlJsonLines, prepareCurlVulnPm } from './curl.ts';
import { isCve5Record, prepareCve5Records } from './cve5.ts';
import { ADVISORY_FEEDS } from './feeds.ts';
import { isKevCatalog, prepareKev } from './kev.ts';
import { isMaliciousNameRecord, prepareMaliciousNames } from './malicious-names.ts';
import { ambiguousNameList, nameListKind, prepareFeedstockOutputs, prepareNameMap } from './name-maps.ts';
import { isNodejsCoreIndex, prepareNodejsCore } from './nodejs.ts';
import { isNvdApiResponse, isNvdCve, nvdApiRecords, prepareNvdRecords } from './nvd.ts';
import { isOsvRecord, type LocatedRecord, prepareOsvRecords } from './osv.ts';
import type { PreparedImport } from './prepared.ts';
import {
  feedInvalid,
  isJsonLinesName,
  isObject,
  type Json,
  type JsonLine,
  jsonLines,
  MAX_RECORD_BYTES,
  parseJsonDocument,
  recordTooLarge,
} from './source.ts';
import { isTopPypiList, prepareTopPypi } from './top-pypi.ts';

const FORMATS_READ =
  'OSV (record, JSON-lines, directory, zip), CISA KEV, NVD CVE API 2.0, CVE JSON 5, curl vuln.pm or its JSON-lines, Node.js security-wg core index, parselmouth map, top-pypi list, feedstock-outputs.json, malicious-name JSON-lines';

export function prepareText(text: string, path: string, feed: FeedName | undefined): PreparedImport {
  if (looksLikeCurlVulnPm(text)) {
    requireFeed(feed, 'advisory', "curl's vuln.pm", path);
    return prepareCurlVulnPm(text, path, feed);
  }
  const jsonLinesName = isJsonLinesName(path);
  let documentError: string | undefined;
  if (!jsonLinesName) {
    const document = parseJsonDocument(text);
    if ('value' in document) return prepareDocument(document.value, text.length, path, feed);
    documentError = document.error;
  }
  const lines = jsonLines(text, path);
  let first: IteratorResult<JsonLine>;
  try {
    first = lines.next();
  } catch (error) {
    if (documentError) throw feedInvalid(`not valid JSON (${documentError})`, { file: path });
    throw error;
  }
  if (first.done) throw feedInvalid('empty file', { file: path });
  return prepareLines(first.value, lines, path, feed);
}

function prepareDocument(document: unknown, size: number, path: string, feed: FeedName | undefined): PreparedImport {
  const single = (value: unknown): LocatedRecord[] => {
    if (size > MAX_RECORD_BYTES) throw recordTooLarge(size, { file: path }, 'characters');
    return [{ value, location: { file: path } }];
  };
  if (isOsvRecord(document))
    return advisory(feed, 'an OSV record', path, () => prepareOsvRecords(single(document), feed));
  if (isCve5Record(document)) {
    return advisory(feed, 'a CVE JSON 5 record', path, () => prepareCve5Records(single(document), feed));
  }
  if (isNvdCve(document))
    return advisory(feed, 'an NVD CVE record', path, () => prepareNvdRecords(single(document), feed));
  if (isNvdApiResponse(document)) {
    return advisory(feed, 'an NVD API response', path, () => prepareNvdRecords(nvdApiRecords(document, path), feed));
  }
  if (Array.isArray(document) && document.length > 0 && document.every(isOsvRecord)) {
    const records = document.map((value, index) => ({ value, location: { file: path, key: `[${index}]` } }));
    return advisory(feed, 'a list of OSV records', path, () => prepareOsvRecords(records, feed));
  }
  if (isNodejsCoreIndex(document)) {
    return advisory(feed, "Node.js core's vulnerability index", path, () => prepareNodejsCore(document, path, feed));
  }
  if (isKevCatalog(document)) {
    requireFeed(feed, 'kev', 'a CISA KEV catalog', path);
    return prepareKev(document, path);
  }
  if (isTopPypiList(document)) {
    requireFeed(feed, 'top-pypi', 'a top-PyPI list', path);
    return prepareTopPypi(document, path);
  }
  if (looksLikeIncompleteRecord(document)) {
    throw feedInvalid(`record ${document.id} is incomplete: an OSV record needs \`id\` and \`modified\``, {
      file: path,
    });
  }
  if (isObject(document)) {
    const kind = nameListKind(document, path, feed);
    if (kind === 'ambiguous') return ambiguousNameList(path);
    if (kind === 'feedstock-outputs') {
      requireFeed(feed, 'conda-forge-names', 'conda-forge feedstock-outputs.json', path);
      return prepareFeedstockOutputs(document);
    }
    if (kind) {
      requireFeed(feed, 'parselmouth', 'a parselmouth conda→PyPI map', path);
      return prepareNameMap(document, kind);
    }
  }
  throw feedInvalid(`not a format cvebuild imports (${FORMATS_READ})`, { file: path });
}

const RECORD_KEYS = ['affected', 'aliases', 'details', 'summary', 'published', 'withdrawn', 'schema_version'];

/** An advisory id (`PYSEC-1`, `GHSA-…`) or OSV fields; a conda name map may well have a package called `id`. */
function looksLikeIncompleteRecord(document: unknown): document is Json {
  if (!isObject(document) || typeof document.id !== 'string') return false;
  return /^[A-Z][A-Z0-9]*-/.test(document.id) || RECORD_KEYS.some((key) => key in document);
}

function prepareLines(
  first: JsonLine,
  rest: Iterator<JsonLine>,
  path: string,
  feed: FeedName | undefined,
): PreparedImport {
  const all: Iterable<JsonLine> = {
    *[Symbol.iterator]() {
      yield first;
      for (let next = rest.next(); !next.done; next = rest.next()) yield next.value;
    },
  };
  const located = (lines: Iterable<JsonLine>): Iterable<LocatedRecord> => ({
    *[Symbol.iterator]() {
      for (const { value, line } of lines) yield { value, location: { file: path, line } };
    },
  });
  const { value } = first;
  if (isOsvRecord(value)) return advisory(feed, 'OSV JSON-lines', path, () => prepareOsvRecords(located(all), feed));
  if (isCve5Record(value)) {
    return advisory(feed, 'CVE JSON 5 JSON-lines', path, () => prepareCve5Records(located(all), feed));
  }
  if (isNvdCve(value)) return advisory(feed, 'NVD CVE JSON-lines', path, () => prepareNvdRecords(located(all), feed));
  if (isCurlVulnerabilityRecord(value)) {
    return advisory(feed, 'curl vulnerability JSON-lines', path, () => prepareCurlJsonLines(all, path, feed));
  }
  if (isMaliciousNameRecord(value)) {
    requireFeed(feed, 'malicious-names', 'malicious-name JSON-lines', path);
    return prepareMaliciousNames(all, path);
  }
  throw feedInvalid(`JSON-lines of a kind cvebuild does not import (it reads ${FORMATS_READ})`, {
    file: path,
    line: first.line,
  });
}

function advisory(
  feed: FeedName | undefined,
  what: string,
  path: string,
  prepare: () => PreparedImport,
): PreparedImport {
  requireFeed(feed, 'advisory', what, path);
  return prepare();
}

/** `--feed` must fit the format: any advisory feed for advisories, the format's own feed otherwise. */
export function requireFeed(
  feed: FeedName | undefined,
  expected: FeedName | 'advisory',
  what: string,
  path: string,
): void {
  if (feed === undefined) return;
  const fits = expected === 'advisory' ? ADVISORY_FEEDS.has(feed) : feed === expected;
  if (fits) return;
  const wanted = expected === 'advisory' ? `an advisory feed (${[...ADVISORY_FEEDS].join(', ')})` : `\`${expected}\``;
  throw feedInvalid(`is ${what}: --feed ${feed} does not apply (use ${wanted})`, { file: path });
}
