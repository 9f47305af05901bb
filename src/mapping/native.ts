/**
 * The conda-native table (data/conda-native.json): conda-forge C/C++ library packages → the upstream
 * product whose advisories apply. Kept as data so it can be reviewed and extended without code.
 */
import { readPackageFile } from '../package-files.ts';
import type { VersionSchemeName } from '../versions/scheme.ts';

export interface NativeProduct {
  /** Upstream product name: the `upstream` ecosystem's package name in the store. */
  product: string;
  conda: string[];
  scheme: VersionSchemeName;
  /** NVD `vendor:product` pairs whose CPE ranges describe this product. */
  cpe: string[];
  advisories: string;
}

interface NativeTableFile {
  products: Record<string, Omit<NativeProduct, 'product'>>;
}

let table:
  | { byConda: Map<string, NativeProduct>; byCpe: Map<string, NativeProduct>; products: NativeProduct[] }
  | undefined;

function load() {
  if (table) return table;
  const file = JSON.parse(readPackageFile('data/conda-native.json')) as NativeTableFile;
  const products = Object.entries(file.products).map(([product, entry]) => ({ product, ...entry }));
  table = {
    products,
    byConda: new Map(products.flatMap((p) => p.conda.map((name) => [name, p] as const))),
    byCpe: new Map(products.flatMap((p) => p.cpe.map((pair) => [pair, p] as const))),
  };
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

/** The product by its own name (`openssl`, `curl` …). */
export function nativeProduct(product: string): NativeProduct | undefined {
  return load().products.find((entry) => entry.product === product);
}
