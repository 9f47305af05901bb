/**
 * curl's own vulnerability table → Advisory (id = the CVE id, feed `curl`), affected
 * {upstream `curl`, first_vulnerable ≤ v ≤ last_vulnerable}. Two forms carry the same rows:
 * - `docs/vuln.pm` from curl/curl-www, a Perl list whose rows are `|`-separated strings:
 *     @vuln = (
 *       "CVE-2024-7264.html|7.32.0|8.9.0|ASN.1 date parser overread|CVE-2024-7264|20240731|20240730|CWE-125: …|0|ASN.1|OVERREAD|lib|low|https://…",
 *     );
 *   fields: page | first vulnerable | last vulnerable | name | CVE | announce date (YYYYMMDD) |
 *   report date | CWE | award (USD) | area | C-issue | lib/tool/both | severity | issue URL (optional)
 * - the corpus's JSON-lines derivation of it (`cve, first_vulnerable, last_vulnerable,
 *   severity_table, cwe, announced, advisory_url, issue …`).
 * Neither has a modification date: the announce date stands in (a correction is still applied,
 * as the store replaces a same-dated record whose content changed).
 */
import type { Advisory, FeedName } from '../model.ts';
import { severityFromText } from '../severity.ts';
import { cweIds, dateFromCompact } from './fields.ts';
import { advisoryImport, type PreparedImport } from './prepared.ts';
import { asString, feedInvalid, isObject, type JsonLine } from './source.ts';

interface CurlVulnerability {
  cve: string;
  firstVulnerable: string;
  lastVulnerable: string;
  name?: string;
  announced?: string;
  cwe?: string;
  severity?: string;
  page?: string;
  issue?: string;
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const CURL_DOCS = 'https://curl.se/docs/';

export function isCurlVulnerabilityRecord(value: unknown): boolean {
  return isObject(value) && typeof value.cve === 'string' && 'first_vulnerable' in value;
}

/** The Perl table starts with comments then `@vuln = (`. */
export function looksLikeCurlVulnPm(text: string): boolean {
  return /^@vuln\s*=\s*\(/m.test(text.slice(0, 4096));
}

export function prepareCurlJsonLines(
  lines: Iterable<JsonLine>,
  path: string,
  feed: FeedName | undefined,
): PreparedImport {
  const rows: CurlVulnerability[] = [];
  for (const { value, line } of lines) {
    if (!isObject(value)) throw feedInvalid('not a curl vulnerability object', { file: path, line });
    const page = asString(value.advisory_url)?.replace(CURL_DOCS, '');
    rows.push(
      checked(
        {
          cve: asString(value.cve) ?? '',
          firstVulnerable: asString(value.first_vulnerable) ?? '',
          lastVulnerable: asString(value.last_vulnerable) ?? '',
          name: asString(value.name),
          announced: asString(value.announced),
          cwe: asString(value.cwe),
          severity: asString(value.severity_table) ?? asString(value.severity_advisory),
          page,
          issue: asString(value.issue),
        },
        path,
        line,
      ),
    );
  }
  return curlImport(rows, feed);
}

const ROW = /^\s*"([^"]*)"\s*,?\s*$/;

export function prepareCurlVulnPm(text: string, path: string, feed: FeedName | undefined): PreparedImport {
  const rows: CurlVulnerability[] = [];
  let inList = false;
  const lines = text.split('\n');
  for (const [index, content] of lines.entries()) {
    const line = index + 1;
    if (!inList) {
      inList = /^@vuln\s*=\s*\(/.test(content.trim());
      continue;
    }
    if (/^\s*\);/.test(content)) {
      inList = false;
      continue;
    }
    if (content.trim() === '' || content.trim().startsWith('#')) continue;
    const row = ROW.exec(content);
    if (!row?.[1]) throw feedInvalid('expected a quoted `|`-separated vuln.pm row', { file: path, line });
    const fields = row[1].split('|');
    if (fields.length < 13) {
      throw feedInvalid(`vuln.pm row has ${fields.length} fields, expected 13 or 14`, { file: path, line });
    }
    const [page, first, last, name, cve, announced, , cwe, , , , , severity, issue] = fields;
    rows.push(
      checked(
        {
          cve: cve ?? '',
          firstVulnerable: first ?? '',
          lastVulnerable: last ?? '',
          name,
          announced,
          cwe,
          severity,
          page,
          issue,
        },
        path,
        line,
      ),
    );
  }
  if (rows.length === 0) throw feedInvalid('no `@vuln = (…)` rows found', { file: path });
  return curlImport(rows, feed);
}

function checked(row: CurlVulnerability, path: string, line: number): CurlVulnerability {
  if (!CVE_ID.test(row.cve)) throw feedInvalid('curl vulnerability without a valid CVE id', { file: path, line });
  if (!row.firstVulnerable || !row.lastVulnerable) {
    throw feedInvalid(`${row.cve} without first/last vulnerable versions`, { file: path, line });
  }
  return row;
}

function curlImport(rows: CurlVulnerability[], feed: FeedName | undefined): PreparedImport {
  return advisoryImport((sink) => {
    for (const row of rows) sink.add(curlAdvisory(row, feed ?? 'curl'));
    return { feed: feed ?? 'curl', records: rows.length };
  });
}

function curlAdvisory(row: CurlVulnerability, feed: FeedName): Advisory {
  const date = dateFromCompact(row.announced);
  const references = [row.page ? `${CURL_DOCS}${row.page}` : undefined, row.issue || undefined].filter(
    (url) => url !== undefined,
  );
  return {
    id: row.cve,
    aliases: [],
    kind: 'vulnerability',
    ...(row.name ? { summary: row.name } : {}),
    ...(date === undefined ? {} : { published: date }),
    modified: date ?? '1970-01-01T00:00:00Z',
    severity: severityFromText(row.severity, 'curl'),
    cwes: cweIds(row.cwe),
    affected: [
      {
        ecosystem: 'upstream',
        name: 'curl',
        normalizedName: 'curl',
        scheme: 'upstream',
        ranges: [
          { type: 'ECOSYSTEM', events: [{ introduced: row.firstVulnerable }, { last_affected: row.lastVulnerable }] },
        ],
        versions: [],
      },
    ],
    references,
    feed,
  };
}
