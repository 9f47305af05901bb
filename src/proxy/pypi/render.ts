/**
 * The filtered project page a client gets, in PEP 691 JSON or PEP 503 HTML. Withheld files are
 * left out, and so is every version left without a file. A project with every file withheld is
 * still a page (200, no files, PEP 792 `project-status: quarantined`), never a 404: a 404 sends uv
 * on to the next index, where a look-alike could wait.
 *
 * Kept from upstream: `upload-time` (clients' own cooldowns read it; it is never the proxy's
 * fetch time), `size`, `hashes`, `requires-python`, `yanked`, and `core-metadata` when it names a
 * sha256 (the proxy checks the `.metadata` bytes against it). Left out: `provenance` and `gpg-sig`
 * (the proxy serves neither file, and a URL to upstream would let clients bypass it).
 */
import { pep440Scheme } from '../../versions/pep440.ts';
import type { BlockReason } from '../types.ts';
import type { ServablePage, ServedFile } from './files.ts';

export interface FilteredPage {
  project: string;
  files: ServedFile[];
  versions: string[];
  status?: { status: string; reason?: string };
  withheld: number;
}

export function filterPage(page: ServablePage, blocked: ReadonlyMap<string, readonly BlockReason[]>): FilteredPage {
  const kept = page.files.filter((file) => !blocked.has(file.file.filename));
  const withheld = page.files.length - kept.length;
  const keptVersions = new Set(kept.map((file) => canonical(file.version)));
  const pageVersions = new Set([...page.pageVersions].map(canonical));
  const listed = page.upstream.versions ?? sortVersions([...new Set(kept.map((file) => file.version))]);
  // a version no file of the page states stays listed (the page said it exists); one whose files all went, goes
  const versions = listed.filter(
    (version) => !pageVersions.has(canonical(version)) || keptVersions.has(canonical(version)),
  );
  const filtered: FilteredPage = { project: page.project, files: kept, versions, withheld };
  if (withheld > 0 && kept.length === 0) {
    filtered.status = { status: 'quarantined', reason: statusReason(page, blocked) };
  } else if (page.upstream.projectStatus) {
    filtered.status = page.upstream.projectStatus;
  }
  return filtered;
}

function statusReason(page: ServablePage, blocked: ReadonlyMap<string, readonly BlockReason[]>): string {
  const messages = new Set<string>();
  for (const file of page.files)
    for (const reason of blocked.get(file.file.filename) ?? []) messages.add(reason.message);
  const [only] = messages;
  return messages.size === 1 && only
    ? only.slice(0, 300)
    : `every file of ${page.project} is withheld by the proxy's policy`;
}

export function renderJson(page: FilteredPage): Uint8Array {
  const document: Record<string, unknown> = {
    meta: { 'api-version': page.status ? '1.4' : '1.1' },
    name: page.project,
    versions: page.versions,
    files: page.files.map(jsonFile),
  };
  if (page.status) document['project-status'] = page.status;
  return Buffer.from(JSON.stringify(document));
}

function jsonFile(served: ServedFile): Record<string, unknown> {
  const { file } = served;
  const entry: Record<string, unknown> = { filename: file.filename, url: served.href, hashes: file.hashes };
  if (file.requiresPython !== undefined) entry['requires-python'] = file.requiresPython;
  const metadata = metadataHashes(served);
  if (metadata) {
    entry['core-metadata'] = metadata;
    // PEP 714: the key PyPI kept for older clients; never `dist-info-metadata`, which pip 22.3–23.1 misreads (crashes on a dict)
    entry['data-dist-info-metadata'] = metadata;
  }
  entry.yanked = file.yanked ?? false;
  if (file.size !== undefined) entry.size = file.size;
  if (file.uploadTime !== undefined) entry['upload-time'] = file.uploadTime;
  return entry;
}

export function renderHtml(page: FilteredPage): Uint8Array {
  const lines = [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    `    <meta name="pypi:repository-version" content="${page.status ? '1.4' : '1.1'}">`,
  ];
  if (page.status) {
    lines.push(`    <meta name="pypi:project-status" content="${attr(page.status.status)}">`);
    if (page.status.reason !== undefined)
      lines.push(`    <meta name="pypi:project-status-reason" content="${attr(page.status.reason)}">`);
  }
  lines.push(`    <title>Links for ${attr(page.project)}</title>`, '  </head>', '  <body>');
  lines.push(`    <h1>Links for ${attr(page.project)}</h1>`);
  for (const served of page.files) lines.push(`    ${anchor(served)}<br />`);
  lines.push('  </body>', '</html>', '');
  return Buffer.from(lines.join('\n'));
}

function anchor(served: ServedFile): string {
  const { file } = served;
  const attrs = [`href="${attr(`${served.href}#sha256=${served.sha256}`)}"`];
  if (file.requiresPython !== undefined) attrs.push(`data-requires-python="${attr(file.requiresPython)}"`);
  const metadata = metadataHashes(served);
  if (metadata) {
    attrs.push(`data-core-metadata="sha256=${metadata.sha256}"`, `data-dist-info-metadata="sha256=${metadata.sha256}"`);
  }
  if (file.yanked !== undefined) attrs.push(`data-yanked="${file.yanked === true ? '' : attr(file.yanked)}"`);
  // not standard HTML, but uv reads them (its `exclude-newer` needs upload times)
  if (file.uploadTime !== undefined) attrs.push(`data-upload-time="${attr(file.uploadTime)}"`);
  if (file.size !== undefined) attrs.push(`data-size="${file.size}"`);
  return `<a ${attrs.join(' ')}>${attr(file.filename)}</a>`;
}

/** The metadata file's sha256 when upstream offers one; `core-metadata: true` alone gives the proxy nothing to check. */
export function metadataHashes(served: ServedFile): { sha256: string } | undefined {
  const metadata = served.file.coreMetadata;
  const sha256 = metadata && metadata !== true ? metadata.sha256 : undefined;
  return sha256 && /^[0-9a-f]{64}$/.test(sha256) ? { sha256 } : undefined;
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function attr(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/** PEP 440's spelling, so `1.0` listed and `1.0.0` in a file name are one version. */
function canonical(version: string): string {
  return pep440Scheme.isValid(version) ? pep440Scheme.normalize(version) : version;
}

function sortVersions(versions: string[]): string[] {
  const valid = versions.filter((v) => pep440Scheme.isValid(v)).sort((a, b) => pep440Scheme.compare(a, b));
  return [...valid, ...versions.filter((v) => !pep440Scheme.isValid(v)).sort()];
}
