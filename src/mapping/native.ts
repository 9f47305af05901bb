/**
 * The product map (data/conda-native.json): conda-forge C/C++ packages → the upstream product whose
 * advisories apply, with the NVD CPE and CVE 5 CNA names that identify it. Kept as data so it can be
 * reviewed and extended without code; checked when it loads (native-file.ts).
 */
import { readPackageFile } from '../package-files.ts';
import {
  type BuildOnlyProduct,
  type NativeProduct,
  type NoUpstreamClass,
  PRODUCT_MAP_FILE,
  type ProductMap,
  parseProductMap,
  type UnshippedComponent,
} from './native-file.ts';

export type { BuildOnlyProduct, NativeProduct, NoUpstreamClass, UnshippedComponent };

interface Indexed {
  products: NativeProduct[];
  byConda: Map<string, NativeProduct>;
  byCpe: Map<string, NativeProduct>;
  byCna: Map<string, NativeProduct>;
  byPackage: Map<string, NativeProduct>;
  byName: Map<string, NativeProduct>;
  byOssFuzz: Map<string, NativeProduct>;
  byRepo: Map<string, NativeProduct>;
  buildOnlyByName: (condaName: string) => BuildOnlyProduct | undefined;
  noUpstreamByName: (condaName: string) => NoUpstreamClass | undefined;
}

let table: Indexed | undefined;

function index(map: ProductMap): Indexed {
  const { products } = map;
  const by = (keys: (product: NativeProduct) => string[]) =>
    new Map(products.flatMap((product) => keys(product).map((key) => [key, product] as const)));
  return {
    products,
    byConda: by((product) => product.conda),
    byCpe: by((product) => product.cpe),
    byCna: by((product) => product.cna),
    byPackage: by((product) => product.packages),
    byName: by((product) => [product.product]),
    byOssFuzz: by((product) => product.ossFuzz),
    byRepo: by((product) => (product.repo ? [repositoryKey(product.repo)] : [])),
    buildOnlyByName: byNamePattern(map.buildOnly),
    noUpstreamByName: byNamePattern(map.noUpstream),
  };
}

function load(): Indexed {
  table ??= index(parseProductMap(readPackageFile(PRODUCT_MAP_FILE)));
  return table;
}

export function nativeProducts(): readonly NativeProduct[] {
  return load().products;
}

/** The upstream product a conda package (lowercase name) ships, if cvebuild knows it. */
export function nativeProductForConda(condaName: string): NativeProduct | undefined {
  return load().byConda.get(condaName);
}

/** The product an NVD CPE `vendor:product` pair names, if it is one cvebuild tracks. */
export function nativeProductForCpe(vendor: string, product: string): NativeProduct | undefined {
  return load().byCpe.get(`${vendor.toLowerCase()}:${product.toLowerCase()}`);
}

/** The product a CVE 5 CNA `affected[]` entry's vendor and product name, if the map lists that pair. */
export function nativeProductForCna(vendor: string, product: string): NativeProduct | undefined {
  return load().byCna.get(`${vendor.toLowerCase()}|${product.toLowerCase()}`);
}

/** The product a CVE 5 `collectionURL` + `packageName` names, if the map lists that pair. */
export function nativeProductForPackage(collectionUrl: string, packageName: string): NativeProduct | undefined {
  return load().byPackage.get(`${collectionUrl.toLowerCase()}|${packageName.toLowerCase()}`);
}

/** The product by its own name (`openssl`, `curl` …). */
export function nativeProduct(product: string): NativeProduct | undefined {
  return load().byName.get(product);
}

/**
 * The product an OSS-Fuzz OSV record is about: by its project name when the map lists it (`freetype2`,
 * whose ranges name the fuzzing harness's repository), else by its GIT range's repository.
 */
export function nativeProductForOssFuzz(project: string, repos: readonly string[]): NativeProduct | undefined {
  const table = load();
  return table.byOssFuzz.get(project) ?? repos.map((repo) => table.byRepo.get(repositoryKey(repo))).find(Boolean);
}

/** Whether `url` is the product's own repository: only then do its tags name the product's releases. */
export function isProductRepository(product: NativeProduct, url: string): boolean {
  return product.repo !== '' && repositoryKey(product.repo) === repositoryKey(url);
}

/** `https://gitlab.gnome.org/GNOME/libxml2.git/` and `https://gitlab.gnome.org/GNOME/libxml2` are one repository. */
function repositoryKey(url: string): string {
  return url
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

/** The build-only toolchain a conda package belongs to (compilers, `*_impl`, sysroots), if it is one. */
export function buildOnlyProductForConda(condaName: string): BuildOnlyProduct | undefined {
  return load().buildOnlyByName(condaName);
}

/** Why a conda package has no upstream (a metapackage, data only), if the map says so. */
export function noUpstreamClassForConda(condaName: string): NoUpstreamClass | undefined {
  return load().noUpstreamByName(condaName);
}

/**
 * The first entry whose names hold `condaName` exactly or by a trailing-`*` prefix, remembered per
 * name: coverage asks for every unmapped package of a lock (4,000 in ros2-nav2), a few hundred names.
 */
function byNamePattern<T extends { conda: readonly string[] }>(
  entries: readonly T[],
): (condaName: string) => T | undefined {
  const seen = new Map<string, T | null>();
  return (condaName) => {
    let found = seen.get(condaName);
    if (found === undefined) {
      found = entries.find((entry) => namesMatch(entry.conda, condaName)) ?? null;
      seen.set(condaName, found);
    }
    return found ?? undefined;
  };
}

function namesMatch(names: readonly string[], condaName: string): boolean {
  return names.some((name) => (name.endsWith('*') ? condaName.startsWith(name.slice(0, -1)) : condaName === name));
}

/**
 * The component of `product` a CVE description says the flaw is in, when the conda packages do not
 * ship it (zlib's contrib/minizip): such a CVE does not apply to them.
 */
export function unshippedComponentNamed(product: NativeProduct, description: string): UnshippedComponent | undefined {
  return product.notShipped.find((entry) => entry.pattern.test(description));
}
