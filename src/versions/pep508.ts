/**
 * PEP 508 requirements (`name[extra] (>=1,<2) ; python_version < "3.10"`, `name @ url`) and the
 * nameless forms pip also accepts in requirement lists: `-e <path or vcs url>`, a local path, a
 * bare archive or VCS URL. For those the name is inferred from the egg fragment, the wheel / sdist
 * file name or the repository name, and the result says so.
 */
import { basename, resolve } from 'node:path';
import { normalizePypiName } from '../model/package.ts';
import { type SpecContext, specError } from './spec-error.ts';

export interface Pep508Requirement {
  /** As written, or inferred (see `nameInferred`). */
  name: string;
  /** PEP 503 form of `name`. */
  normalizedName: string;
  extras: string[];
  /** PEP 440 specifier set without spaces (`>=1.0,<2`); "" = any version. */
  specifier: string;
  marker?: string;
  /** Direct reference as written: URL, VCS URL (`git+https://…@tag`) or local path. */
  url?: string;
  /** `-e` / `--editable`. */
  editable: boolean;
  /** The name was not written as a requirement name but derived from the URL or path. */
  nameInferred: boolean;
}

export interface Pep508Options extends SpecContext {
  /** Directory relative paths are resolved against, to name a `-e .` requirement after its directory. */
  baseDir?: string;
}

const KIND = 'PEP 508 requirement';
const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/;
const EXTRA = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const CLAUSE = /^(~=|===|==|!=|<=|>=|<|>)\s*([^\s,;()]+)$/;
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const VCS_PREFIX = /^(git|hg|svn|bzr)\+/i;
const ARCHIVE = /\.(whl|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar|zip)$/i;
const EDITABLE = /^(?:-e|--editable)(?:\s+|=|$)/;

export function parsePep508(text: string, options: Pep508Options = {}): Pep508Requirement {
  const invalid = (reason: string) => specError(options, KIND, text, reason);
  let rest = stripPipOptions(text.trim());
  const editable = EDITABLE.test(rest);
  if (editable) rest = rest.replace(EDITABLE, '').trim();
  if (!rest) throw invalid('empty requirement');

  if (isDirectReference(rest)) return nameless(rest, editable, options, invalid);

  const nameMatch = NAME.exec(rest);
  if (!nameMatch?.[1]) throw invalid('does not start with a package name');
  const name = nameMatch[1];
  rest = rest.slice(name.length).trimStart();

  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) throw invalid('unclosed extras bracket');
    extras = parseExtras(rest.slice(1, close), invalid);
    rest = rest.slice(close + 1).trimStart();
  }

  let url: string | undefined;
  let specifier = '';
  if (rest.startsWith('@')) {
    const afterAt = rest.slice(1).trimStart();
    url = afterAt.split(/\s/, 1)[0] ?? '';
    if (!url || url.startsWith(';')) throw invalid('missing URL after @');
    rest = afterAt.slice(url.length).trimStart();
  } else {
    const semicolon = rest.indexOf(';');
    const specText = (semicolon === -1 ? rest : rest.slice(0, semicolon)).trim();
    specifier = parseSpecifier(specText, invalid);
    rest = semicolon === -1 ? '' : rest.slice(semicolon);
  }

  let marker: string | undefined;
  if (rest) {
    if (!rest.startsWith(';')) throw invalid(`unexpected ${JSON.stringify(rest.slice(0, 40))}`);
    marker = rest.slice(1).trim();
    if (!marker) throw invalid('empty environment marker after ;');
  }

  const requirement: Pep508Requirement = {
    name,
    normalizedName: normalizePypiName(name),
    extras,
    specifier,
    editable,
    nameInferred: false,
  };
  if (marker !== undefined) requirement.marker = marker;
  if (url !== undefined) requirement.url = url;
  return requirement;
}

/** pip requirement-file lines may carry per-requirement options (`--hash=sha256:…`) and `# comments`. */
function stripPipOptions(line: string): string {
  return line
    .replace(/\s+#.*$/, '')
    .replace(/\s+--[A-Za-z][\w-]*(?:[= ]\S+)?(?=\s|$)/g, '')
    .trim();
}

function isDirectReference(text: string): boolean {
  if (URL_SCHEME.test(text) || VCS_PREFIX.test(text) || text.startsWith('file:')) return true;
  if (/^(\.{1,2}([/\\]|$)|[/\\~])/.test(text) || /^[A-Za-z]:[/\\]/.test(text)) return true;
  const beforeMarker = text.split(';', 1)[0]?.trim() ?? '';
  return (
    !beforeMarker.includes(' ') && (beforeMarker.includes('/') || ARCHIVE.test(beforeMarker.replace(/\[.*\]$/, '')))
  );
}

function parseExtras(body: string, invalid: (reason: string) => Error): string[] {
  const extras = body
    .split(',')
    .map((extra) => extra.trim())
    .filter(Boolean);
  for (const extra of extras) if (!EXTRA.test(extra)) throw invalid(`invalid extra ${JSON.stringify(extra)}`);
  return extras;
}

function parseSpecifier(text: string, invalid: (reason: string) => Error): string {
  let body = text;
  if (body.startsWith('(')) {
    if (!body.endsWith(')')) throw invalid('unclosed parenthesis in version specifier');
    body = body.slice(1, -1).trim();
  }
  if (!body) return '';
  return body
    .split(',')
    .map((clause) => {
      const match = CLAUSE.exec(clause.trim());
      if (!match) throw invalid(`invalid version clause ${JSON.stringify(clause.trim())}`);
      return `${match[1]}${match[2]}`;
    })
    .join(',');
}

/** A URL or path without `name @`: pip derives the name when it builds the project; we guess it. */
function nameless(
  text: string,
  editable: boolean,
  options: Pep508Options,
  invalid: (reason: string) => Error,
): Pep508Requirement {
  const semicolon = text.search(/\s;|;\s/);
  const reference = (semicolon === -1 ? text : text.slice(0, semicolon)).trim();
  const marker = semicolon === -1 ? undefined : text.slice(semicolon).replace(/^\s*;/, '').trim();
  const extrasMatch = /\[([^\]]*)\]$/.exec(reference);
  const location = extrasMatch ? reference.slice(0, extrasMatch.index) : reference;
  const extras = extrasMatch ? parseExtras(extrasMatch[1] ?? '', invalid) : [];

  const egg = /[#&]egg=([^&#]+)/.exec(location)?.[1];
  const eggName = egg ? NAME.exec(egg)?.[1] : undefined;
  const name = eggName ?? inferName(location, options.baseDir);
  if (!name) throw invalid('cannot tell the package name from the URL or path (write `name @ url`)');

  const requirement: Pep508Requirement = {
    name,
    normalizedName: normalizePypiName(name),
    extras,
    specifier: '',
    url: location,
    editable,
    nameInferred: eggName === undefined,
  };
  if (marker) requirement.marker = marker;
  return requirement;
}

function inferName(location: string, baseDir: string | undefined): string | undefined {
  const isUrl = URL_SCHEME.test(location.replace(VCS_PREFIX, ''));
  let path = location.replace(VCS_PREFIX, '').split('#', 1)[0] ?? '';
  if (isUrl) path = path.replace(URL_SCHEME, '').split('?', 1)[0] ?? '';
  if (VCS_PREFIX.test(location)) {
    // `git+https://host/org/repo.git@v1.0`: the ref follows the last `@` of the last segment.
    const lastSlash = path.lastIndexOf('/');
    const at = path.indexOf('@', lastSlash + 1);
    if (at !== -1) path = path.slice(0, at);
    path = path.replace(/\.git$/, '');
  }
  let segment = lastSegment(path);
  if (!isUrl && (segment === '' || segment === '.' || segment === '..') && baseDir !== undefined) {
    segment = basename(resolve(baseDir, path || '.'));
  }
  if (!segment || segment === '.' || segment === '..') return undefined;
  return nameFromFileName(segment);
}

function lastSegment(path: string): string {
  const trimmed = path.replace(/[/\\]+$/, '');
  return trimmed.slice(Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\')) + 1);
}

/** `pkg-1.0-py3-none-any.whl` → `pkg`; `pkg-1.0.tar.gz` → `pkg`; a directory name stays as is. */
function nameFromFileName(fileName: string): string | undefined {
  let decoded = fileName;
  try {
    decoded = decodeURIComponent(fileName);
  } catch {
    // keep the raw segment
  }
  if (decoded.toLowerCase().endsWith('.whl')) return decoded.split('-', 1)[0] || undefined;
  const stem = decoded.replace(ARCHIVE, '');
  const versioned = /^(.+?)-\d[^-]*$/.exec(stem);
  return NAME.exec(versioned?.[1] ?? stem)?.[1];
}
