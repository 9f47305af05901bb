/**
 * Reads and checks the product map (data/conda-native.json). A malformed entry stops the run with one
 * line naming the file and the key, so a bad edit is caught when the table loads, not as a silent
 * missed match later.
 */
import type { VersionSchemeName } from '../versions/scheme.ts';
import { type Entry, type Fail, isEntry, openDataDocument } from './data-file.ts';

export const PRODUCT_MAP_FILE = 'data/conda-native.json';

/** How one upstream's release tags spell a version: `curl-7_88_0` is prefix `curl-`, separator `_`. */
export interface TagStyle {
  prefix: string;
  separator: string;
  suffix?: string;
}

/** An upstream component the conda packages do not build; `pattern` recognises a CVE description naming it. */
export interface UnshippedComponent {
  component: string;
  pattern: RegExp;
  why: string;
}

/**
 * Releases `from`–`to` (protobuf's v22–v25) whose conda package is versioned `major.release`
 * (libprotobuf 4.22.0–4.25.x): how the upstream's release numbering maps to conda's.
 */
export interface ReleaseSeries {
  from: number;
  to: number;
  major: number;
}

export interface NativeProduct {
  /** Upstream product name: the `upstream` ecosystem's package name in the store. */
  product: string;
  conda: string[];
  scheme: VersionSchemeName;
  /** NVD `vendor:product` pairs whose CPE ranges describe this product. */
  cpe: string[];
  /** CVE 5 CNA `vendor|product` pairs (lowercase) that name this product. */
  cna: string[];
  /** CVE 5 `collectionURL|packageName` pairs that name this product. */
  packages: string[];
  repo: string;
  /** OSS-Fuzz project names whose OSV records are about this product, where their range's repo is not `repo`. */
  ossFuzz: string[];
  tags: TagStyle[];
  ships: string[];
  notShipped: UnshippedComponent[];
  /** Empty unless the upstream's release numbers differ from the conda package's versions. */
  releaseToConda: ReleaseSeries[];
  advisories: string;
  evidence: string[];
}

/** A compiler or toolchain package: named so a reader sees what it is, never matched against CVEs. */
export interface BuildOnlyProduct {
  product: string;
  /** conda names; a trailing `*` matches any suffix (`gcc_impl_*`). */
  conda: string[];
  cpe: string[];
  evidence: string[];
}

/**
 * Packages with no upstream whose advisories could apply (mutexes, ABI pins, bundles, fonts,
 * protocol descriptions), grouped by why: named so coverage says so instead of "unmapped".
 */
export interface NoUpstreamClass {
  /** `metapackage`, `data` …: the reason class a report prints. */
  kind: string;
  /** conda names; a trailing `*` matches any suffix. */
  conda: string[];
  why: string;
}

export interface ProductMap {
  products: NativeProduct[];
  buildOnly: BuildOnlyProduct[];
  noUpstream: NoUpstreamClass[];
}

const SCHEMES: readonly VersionSchemeName[] = ['openssl', 'upstream', 'pep440', 'semver'];

export function parseProductMap(text: string, file = PRODUCT_MAP_FILE): ProductMap {
  const { root, fail } = openDataDocument(text, file);
  const products = isEntry(root.products) ? root.products : fail('products', 'expected an object of products');
  const buildOnly = root.buildOnly === undefined ? {} : root.buildOnly;
  if (!isEntry(buildOnly)) fail('buildOnly', 'expected an object of build-only products');
  const noUpstream = root.noUpstream === undefined ? {} : root.noUpstream;
  if (!isEntry(noUpstream)) fail('noUpstream', 'expected an object of reason classes');
  const field = (entry: Entry, key: string) => ({ value: entry[key], key });
  const strings = (entry: Entry, path: string, key: string, required = true): string[] => {
    const { value } = field(entry, key);
    if (value === undefined && !required) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string' && item !== '')) {
      return fail(`${path}.${key}`, 'expected a list of non-empty strings');
    }
    return value as string[];
  };
  const text_ = (entry: Entry, path: string, key: string, required = true): string => {
    const { value } = field(entry, key);
    if (value === undefined && !required) return '';
    return typeof value === 'string' ? value : fail(`${path}.${key}`, 'expected a string');
  };
  const pairs = (entry: Entry, path: string, key: string, left: string, right: string): string[] => {
    const value = entry[key];
    if (value === undefined) return [];
    if (!Array.isArray(value)) return fail(`${path}.${key}`, `expected a list of {${left}, ${right}}`);
    return value.map((item, index) => {
      const at = `${path}.${key}[${index}]`;
      if (!isEntry(item)) return fail(at, `expected {${left}, ${right}}`);
      const a = text_(item, at, left);
      const b = text_(item, at, right);
      if (a === '' || b === '') fail(at, `${left} and ${right} must not be empty`);
      return `${a.toLowerCase()}|${b.toLowerCase()}`;
    });
  };
  const parsedProducts = Object.entries(products).map(([product, value]): NativeProduct => {
    const path = `products.${product}`;
    const entry = isEntry(value) ? value : fail(path, 'expected an object');
    const scheme = text_(entry, path, 'scheme') as VersionSchemeName;
    if (!SCHEMES.includes(scheme)) fail(`${path}.scheme`, `unknown version scheme ${JSON.stringify(scheme)}`);
    const cpe = strings(entry, path, 'cpe');
    cpe.forEach((pair, index) => {
      if (!/^[^:\s]+:[^:\s]+$/.test(pair))
        fail(`${path}.cpe[${index}]`, `expected vendor:product, got ${JSON.stringify(pair)}`);
    });
    return {
      product,
      conda: strings(entry, path, 'conda'),
      scheme,
      cpe: cpe.map((pair) => pair.toLowerCase()),
      cna: pairs(entry, path, 'cna', 'vendor', 'product'),
      packages: pairs(entry, path, 'packages', 'collectionURL', 'packageName'),
      repo: text_(entry, path, 'repo', false),
      ossFuzz: strings(entry, path, 'ossFuzz', false),
      tags: tagStyles(entry.tags, `${path}.tags`, fail),
      ships: strings(entry, path, 'ships', false),
      notShipped: unshipped(entry.notShipped, `${path}.notShipped`, fail),
      releaseToConda: releaseSeries(entry.releaseToConda, `${path}.releaseToConda`, fail),
      advisories: text_(entry, path, 'advisories'),
      evidence: strings(entry, path, 'evidence', false),
    };
  });
  const parsedBuildOnly = Object.entries(buildOnly as Entry).map(([product, value]): BuildOnlyProduct => {
    const path = `buildOnly.${product}`;
    const entry = isEntry(value) ? value : fail(path, 'expected an object');
    return {
      product,
      conda: strings(entry, path, 'conda'),
      cpe: strings(entry, path, 'cpe', false),
      evidence: strings(entry, path, 'evidence', false),
    };
  });
  const parsedNoUpstream = Object.entries(noUpstream as Entry).map(([kind, value]): NoUpstreamClass => {
    const path = `noUpstream.${kind}`;
    const entry = isEntry(value) ? value : fail(path, 'expected an object');
    const why = text_(entry, path, 'why');
    if (why === '') fail(`${path}.why`, 'say why these packages have no upstream');
    return { kind, conda: strings(entry, path, 'conda'), why };
  });
  claimedOnce(parsedProducts, 'conda', fail);
  notAlsoProducts(parsedProducts, parsedNoUpstream, fail);
  claimedOnce(parsedProducts, 'cpe', fail);
  claimedOnce(parsedProducts, 'cna', fail);
  claimedOnce(parsedProducts, 'ossFuzz', fail);
  return { products: parsedProducts, buildOnly: parsedBuildOnly, noUpstream: parsedNoUpstream };
}

function releaseSeries(value: unknown, path: string, fail: Fail): ReleaseSeries[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail(path, 'expected a list of {from, to, major}');
  const series = value.map((item, index): ReleaseSeries => {
    const at = `${path}[${index}]`;
    if (!isEntry(item)) return fail(at, 'expected {from, to, major}');
    const [from, to, major] = (['from', 'to', 'major'] as const).map((key) =>
      Number.isSafeInteger(item[key]) && (item[key] as number) >= 0
        ? (item[key] as number)
        : fail(`${at}.${key}`, 'expected a whole number'),
    ) as [number, number, number];
    if (from > to) fail(at, `from ${from} is after to ${to}`);
    if (major >= from) fail(at, `major ${major} must be below the release numbers it prefixes`);
    return { from, to, major };
  });
  const sorted = [...series].sort((a, b) => a.from - b.from);
  sorted.forEach((entry, index) => {
    const next = sorted[index + 1];
    if (next && next.from <= entry.to) fail(path, `releases ${next.from}–${next.to} overlap ${entry.from}–${entry.to}`);
  });
  return series;
}

/** A conda name or advisory identifier names one product: a second claim would silently shadow the first. */
function claimedOnce(products: NativeProduct[], key: 'conda' | 'cpe' | 'cna' | 'ossFuzz', fail: Fail): void {
  const owner = new Map<string, string>();
  for (const { product, [key]: names } of products) {
    for (const name of names) {
      const first = owner.get(name);
      if (first !== undefined)
        fail(`products.${product}.${key}`, `${JSON.stringify(name)} is already listed by ${first}`);
      owner.set(name, product);
    }
  }
}

/** A name said to have no upstream must not also map to a product: one of the two is a mistake. */
function notAlsoProducts(products: NativeProduct[], classes: NoUpstreamClass[], fail: Fail): void {
  const owner = new Map(products.flatMap(({ product, conda }) => conda.map((name) => [name, product] as const)));
  for (const { kind, conda } of classes) {
    for (const name of conda) {
      const product = owner.get(name);
      if (product !== undefined)
        fail(`noUpstream.${kind}.conda`, `${JSON.stringify(name)} is mapped to product ${product}`);
    }
  }
}

function tagStyles(value: unknown, path: string, fail: Fail): TagStyle[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail(path, 'expected a list of {prefix, separator}');
  return value.map((item, index) => {
    const at = `${path}[${index}]`;
    if (
      !isEntry(item) ||
      typeof item.prefix !== 'string' ||
      typeof item.separator !== 'string' ||
      item.separator === ''
    )
      return fail(at, 'expected {prefix, separator[, suffix]}');
    if (item.suffix !== undefined && typeof item.suffix !== 'string') return fail(`${at}.suffix`, 'expected a string');
    return {
      prefix: item.prefix,
      separator: item.separator,
      ...(typeof item.suffix === 'string' ? { suffix: item.suffix } : {}),
    };
  });
}

function unshipped(value: unknown, path: string, fail: Fail): UnshippedComponent[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail(path, 'expected a list of {component, pattern, why}');
  return value.map((item, index) => {
    const at = `${path}[${index}]`;
    if (!isEntry(item) || typeof item.component !== 'string' || typeof item.pattern !== 'string')
      return fail(at, 'expected {component, pattern, why}');
    if (typeof item.why !== 'string' || item.why === '')
      return fail(`${at}.why`, 'say why the component is not shipped');
    let pattern: RegExp;
    try {
      pattern = new RegExp(item.pattern, 'i');
    } catch {
      return fail(`${at}.pattern`, `not a regular expression: ${JSON.stringify(item.pattern)}`);
    }
    return { component: item.component, pattern, why: item.why };
  });
}
