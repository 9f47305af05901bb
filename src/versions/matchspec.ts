/**
 * Conda MatchSpec strings (`conda-forge::numpy >=1.2,<2 py312*`, `numpy=1.26`, `blas=*=mkl`,
 * `numpy[version='>=1.2']`) split into name, version spec, build, channel and subdir. Follows
 * conda's `_parse_spec_str` (which rattler's lenient parser mirrors); this module only parses —
 * matching a version against the spec is `conda.ts`'s job.
 */

import { isKnownSubdir } from '../conda/platforms.ts';
import { channelAndSubdirOf, fileNameOf, isUrl, parseCondaArchiveName } from '../conda/url.ts';
import { type SpecContext, specError } from './spec-error.ts';

export interface MatchSpec {
  name: string;
  /**
   * Conda VersionSpec text; absent = any version. `=1.26` becomes `1.26.*`, a bare exact version
   * (`numpy 1.26.4 py312_0`, `numpy=1.26=py312_0`) becomes `==1.26.4`, anything else is kept
   * as written without spaces.
   */
  version?: string;
  /** Build string glob (`py312*`, `*_cp313`). */
  build?: string;
  /** Channel name or URL; absent when any channel is allowed (`*::`). */
  channel?: string;
  subdir?: string;
  /** Set when the spec is one package archive (URL or path). */
  url?: string;
}

export interface MatchSpecOptions extends SpecContext {
  /**
   * conda-build reads a bare version without build (`numpy 1.26`) as `1.26.*` (its
   * `ensure_valid_spec`); conda and rattler read it as `==1.26`, the default here.
   */
  bareVersionIsPrefix?: boolean;
}

const KIND = 'conda MatchSpec';
/** Characters that never appear in a package name; seeing one means the spec is malformed. */
const INVALID_NAME_CHARS = /[[\](){}'",;|\s]/;
/** A version literal with no operator, glob or group: conda matches it exactly. */
const BARE_VERSION = /^[0-9A-Za-z_.!+]+$/;
const OPERATOR_ONLY = /^[=<>!~]*$/;

export function parseMatchSpec(text: string, options: MatchSpecOptions = {}): MatchSpec {
  const invalid = (reason: string) => specError(options, KIND, text, reason);
  let spec = stripCommentAndCondition(text);
  if (!spec) throw invalid('empty spec');

  if (spec.endsWith('.conda') || spec.endsWith('.tar.bz2')) return parseArchiveSpec(spec, invalid);

  const { rest, attributes } = splitBrackets(spec, invalid);
  spec = rest;

  let channel: string | undefined;
  let subdir: string | undefined;
  const channelEnd = spec.lastIndexOf('::');
  if (channelEnd !== -1) {
    ({ channel, subdir } = splitChannel(spec.slice(0, channelEnd).trim()));
    spec = spec.slice(channelEnd + 2);
  } else if (spec.includes(':')) {
    // `namespace:name`, an obsolete conda form: the namespace carries no meaning today.
    spec = spec.slice(spec.lastIndexOf(':') + 1);
  }
  if (attributes.channel !== undefined) {
    const fromBrackets = splitChannel(attributes.channel);
    channel = fromBrackets.channel;
    subdir = fromBrackets.subdir ?? subdir;
  }
  if (attributes.subdir !== undefined) subdir = attributes.subdir;

  const nameMatch = /^([^ =<>!~]+)?(.*)$/s.exec(spec.trim());
  const name = nameMatch?.[1];
  if (!name) throw invalid('no package name');
  if (INVALID_NAME_CHARS.test(name)) throw invalid(`not a package name: ${JSON.stringify(name)}`);

  let version: string | undefined;
  let build: string | undefined;
  const versionAndBuild = nameMatch?.[2]?.trim() ?? '';
  if (versionAndBuild) {
    ({ version, build } = splitVersionAndBuild(versionAndBuild));
    version = normalizeVersion(version, build, options.bareVersionIsPrefix === true);
    if (OPERATOR_ONLY.test(version)) throw invalid('operator without a version');
  }
  if (attributes.version !== undefined) version = attributes.version;
  if (attributes.build !== undefined) build = attributes.build;

  return omitUndefined({ name, version, build, channel, subdir, url: attributes.url });
}

/** conda drops a `# comment` and a trailing ` if <condition>` before parsing. */
function stripCommentAndCondition(text: string): string {
  const withoutComment = text.split('#', 1)[0] ?? '';
  return (withoutComment.split(' if ', 1)[0] ?? '').trim();
}

function parseArchiveSpec(spec: string, invalid: (reason: string) => Error): MatchSpec {
  const archive = parseCondaArchiveName(fileNameOf(spec));
  if (!archive) throw invalid('not a conda package file name (name-version-build.conda)');
  const { channel, subdir } = channelAndSubdirOf(spec);
  const known = subdir !== undefined && isKnownSubdir(subdir);
  return omitUndefined({
    name: archive.name,
    version: `==${archive.version}`,
    build: archive.build,
    channel: known && isUrl(spec) ? channel : undefined,
    subdir: known ? subdir : undefined,
    url: spec,
  });
}

interface Brackets {
  rest: string;
  attributes: Partial<Record<'version' | 'build' | 'channel' | 'subdir' | 'url', string>>;
}

const BRACKET_KEYS = new Set(['version', 'build', 'channel', 'subdir', 'url']);
/** `key=value`, `key='value'` or `key="value"`; pairs are separated by commas or, as conda allows, spaces. */
const KEY_VALUE = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^,'"\]\s]+))\s*,?/y;

/** `name[key=value, key='value']`: one bracket section, at the end. */
function splitBrackets(spec: string, invalid: (reason: string) => Error): Brackets {
  const open = spec.indexOf('[');
  const close = spec.indexOf(']');
  if (open === -1 && close === -1) return { rest: spec, attributes: {} };
  const opens = spec.split('[').length - 1;
  const closes = spec.split(']').length - 1;
  if (opens !== closes || close < open) throw invalid('unbalanced brackets');
  if (opens > 1) throw invalid('more than one bracket section');
  if (spec.slice(close + 1).trim()) throw invalid('text after the bracket section');
  const body = spec.slice(open + 1, close);
  const attributes: Brackets['attributes'] = {};
  KEY_VALUE.lastIndex = 0;
  while (KEY_VALUE.lastIndex < body.length) {
    const start = KEY_VALUE.lastIndex;
    const match = KEY_VALUE.exec(body);
    if (!match || match.index !== start) throw invalid('brackets must hold key=value pairs');
    const key = match[1] as string;
    const value = match[2] ?? match[3] ?? match[4] ?? '';
    if (!value) throw invalid(`empty value for ${key} in brackets`);
    if (BRACKET_KEYS.has(key)) attributes[key as keyof Brackets['attributes']] = value;
  }
  return { rest: spec.slice(0, open), attributes };
}

/** `conda-forge/linux-64` → channel + subdir; a URL channel may end in a subdir too. */
function splitChannel(text: string): { channel?: string; subdir?: string } {
  const trimmed = text.replace(/\/+$/, '');
  if (!trimmed || trimmed === '*') return {};
  const slash = trimmed.lastIndexOf('/');
  const last = trimmed.slice(slash + 1);
  if (slash > 0 && isKnownSubdir(last)) return { channel: trimmed.slice(0, slash), subdir: last };
  return { channel: trimmed };
}

/**
 * conda's `_parse_version_plus_build`: the build is the last word, separated by a space or `=`
 * that does not belong to an operator (`>=1.0 , < 2.0 py34_0`, `1.2.3=0`, `* *`).
 */
const VERSION_PLUS_BUILD = /((?:.+?)[^><!,|]?)(?:(?<![=!|,<>~])(?:[ =])([^-=,|<>~]+?))?$/s;

function splitVersionAndBuild(text: string): { version: string; build?: string } {
  const match = VERSION_PLUS_BUILD.exec(text);
  const version = (match?.[1] ?? text).replace(/\s+/g, '');
  const build = match?.[2]?.trim();
  return build ? { version, build } : { version };
}

/** conda's `=` translations, made explicit: fuzzy `=1.26` → `1.26.*`, exact versions get `==`. */
function normalizeVersion(version: string, build: string | undefined, bareVersionIsPrefix: boolean): string {
  if (version.startsWith('=') && !version.startsWith('==')) {
    const operand = version.slice(1);
    if (/[=,|]/.test(operand)) return version;
    if (build === undefined && !operand.endsWith('*')) return prefixSpec(operand);
    return BARE_VERSION.test(operand) ? `==${operand}` : operand;
  }
  if (BARE_VERSION.test(version)) {
    return bareVersionIsPrefix && build === undefined ? prefixSpec(version) : `==${version}`;
  }
  return version;
}

function prefixSpec(version: string): string {
  return version ? `${version.replace(/\.+$/, '')}.*` : version;
}

function omitUndefined(spec: MatchSpec): MatchSpec {
  const result: MatchSpec = { name: spec.name };
  if (spec.version !== undefined) result.version = spec.version;
  if (spec.build !== undefined) result.build = spec.build;
  if (spec.channel !== undefined) result.channel = spec.channel;
  if (spec.subdir !== undefined) result.subdir = spec.subdir;
  if (spec.url !== undefined) result.url = spec.url;
  return result;
}
