/**
 * A PEP 503 HTML project page read into the same shape as a PEP 691 JSON page: one anchor per
 * file (`href` with a `#<hash>=<hex>` fragment, the `data-*` attributes of PEP 592/658/714/740, uv's
 * non-standard `data-upload-time` and `data-size`), the PEP 629 and PEP 792 `<meta>` tags and an
 * optional `<base href>`.
 *
 * Hand-written rather than a general HTML parser (none is a dependency): a simple page is a flat
 * list of anchors, read here in one linear pass over the start tags; attribute values are
 * entity-decoded, and whatever does not fit is skipped, never guessed.
 */
import type { SimpleFile, SimpleProject } from '../../cooldown/simple-api.ts';

const ATTRIBUTE = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
const TAG_NAME = /^([a-zA-Z][a-zA-Z0-9]*)(?=[\s/]|$)/;

export function parseSimpleHtml(text: string, pageUrl: string): SimpleProject {
  const project: SimpleProject = { files: [] };
  let base = pageUrl;
  for (const tag of startTags(text)) {
    const attrs = attributes(tag.attributes);
    if (tag.name === 'base' && base === pageUrl) {
      const href = attrs.get('href');
      if (href !== undefined) base = resolve(href, pageUrl) ?? pageUrl;
    } else if (tag.name === 'meta') {
      readMeta(project, attrs);
    } else if (tag.name === 'a') {
      const href = attrs.get('href');
      const filename = decodeEntities(tag.text).trim();
      if (href !== undefined && filename !== '') project.files.push(fileOf(filename, href, base, attrs));
    }
  }
  return project;
}

interface StartTag {
  name: string;
  attributes: string;
  /** The text up to the next tag (an anchor's file name). */
  text: string;
}

/**
 * Start tags in order, read in one pass: a tag ends at the first `>` outside a quoted value, and
 * when none is left the page ends there (so unclosed tags cost linear time, never quadratic).
 */
function* startTags(text: string): Generator<StartTag> {
  let at = 0;
  for (;;) {
    const open = text.indexOf('<', at);
    if (open === -1) return;
    let quote = '';
    let close = open + 1;
    for (; close < text.length; close++) {
      const char = text[close];
      if (quote !== '') {
        if (char === quote) quote = '';
      } else if (char === '"' || char === "'") {
        // a quote only opens a value after `=`; elsewhere (`<p>it's`) it is text
        if (/=\s*$/.test(text.slice(Math.max(open, close - 16), close))) quote = char;
      } else if (char === '>') {
        break;
      }
    }
    if (close >= text.length) return;
    const inside = text.slice(open + 1, close);
    const name = TAG_NAME.exec(inside)?.[1]?.toLowerCase();
    const next = text.indexOf('<', close + 1);
    at = close + 1;
    if (name) {
      yield {
        name,
        attributes: inside.slice(name.length),
        text: text.slice(close + 1, next === -1 ? text.length : next),
      };
    }
  }
}

function readMeta(project: SimpleProject, meta: Map<string, string>): void {
  const content = meta.get('content');
  if (content === undefined) return;
  switch (meta.get('name')?.toLowerCase()) {
    case 'pypi:repository-version':
      project.apiVersion = content;
      break;
    case 'pypi:project-status':
      project.projectStatus = { ...project.projectStatus, status: content };
      break;
    case 'pypi:project-status-reason':
      project.projectStatus = { status: project.projectStatus?.status ?? 'active', reason: content };
      break;
  }
}

function fileOf(filename: string, href: string, base: string, attrs: Map<string, string>): SimpleFile {
  const hashAt = href.indexOf('#');
  const fragment = hashAt === -1 ? '' : href.slice(hashAt + 1);
  const target = hashAt === -1 ? href : href.slice(0, hashAt);
  const file: SimpleFile = { filename, url: resolve(target, base) ?? target, hashes: hashPair(fragment) };
  const requiresPython = attrs.get('data-requires-python');
  if (requiresPython !== undefined && requiresPython !== '') file.requiresPython = requiresPython;
  const metadata = attrs.get('data-core-metadata') ?? attrs.get('data-dist-info-metadata');
  if (metadata === 'true') file.coreMetadata = true;
  else if (metadata !== undefined && Object.keys(hashPair(metadata)).length > 0) file.coreMetadata = hashPair(metadata);
  if (attrs.get('data-gpg-sig') === 'true') file.gpgSig = true;
  const yanked = attrs.get('data-yanked');
  if (yanked !== undefined) file.yanked = yanked === '' ? true : yanked;
  const size = attrs.get('data-size');
  if (size !== undefined && /^\d{1,15}$/.test(size)) file.size = Number(size);
  const uploadTime = attrs.get('data-upload-time');
  if (uploadTime !== undefined && uploadTime !== '') file.uploadTime = uploadTime;
  const provenance = attrs.get('data-provenance');
  if (provenance !== undefined && provenance !== '') file.provenance = provenance;
  return file;
}

/** `sha256=<hex>` → `{sha256: hex}`; anything else → `{}`. */
function hashPair(text: string): Record<string, string> {
  const match = /^([a-z0-9_-]{1,32})=([0-9a-f]{16,256})$/i.exec(text.trim());
  return match?.[1] && match[2] ? { [match[1].toLowerCase()]: match[2].toLowerCase() } : {};
}

/** Attribute names lowercased; the first of a repeated attribute wins (as in HTML). */
function attributes(text: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of text.matchAll(ATTRIBUTE)) {
    const name = (match[1] ?? '').toLowerCase();
    if (name === '' || found.has(name)) continue;
    found.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return found;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** The character references simple pages use; an unknown named one stays as written. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return NAMED[ref.toLowerCase()] ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '\ufffd';
  });
}

function resolve(href: string, base: string): string | undefined {
  try {
    return new URL(href, base).href;
  } catch {
    return undefined;
  }
}
