/**
 * OSS-Fuzz's OSV records (ecosystem `OSS-Fuzz`) → affected entries of product-map products: a gap
 * filler and cross-check beside NVD and vendor feeds. Their ranges are GIT commits only; osv.dev adds
 * a `versions` list of the repository's tags inside those ranges (`v2.10.3`, `curl-7_88_0`,
 * `hdf5-1_14_1`). The record names its product by its project (`affected[].package.name`, when the
 * product map lists it under `ossFuzz`) or by its range's repository (the product's `repo`).
 *
 * - Tags of the product's own repository that its tag styles read become exact affected versions;
 *   other tags (pre-releases, branches, `snapshot`) are left out.
 * - An entry with no tag that names a release, or whose range lies in another repository (a fuzzing
 *   harness: freetype2's ranges are in freetype2-testing), is kept with neither ranges nor versions:
 *   the matcher reports it *undecided* for every version of the product, never "not affected", and
 *   never affected by a guess.
 */
import { isProductRepository, type NativeProduct, nativeProductForOssFuzz } from '../../mapping/native.ts';
import { releaseFromTag } from '../../mapping/tags.ts';
import type { AffectedPackage } from '../model.ts';
import { distinct } from './fields.ts';
import { asArray, asString, isObject, type Json, strings } from './source.ts';

export const OSS_FUZZ_ECOSYSTEM = 'OSS-Fuzz';

/** Why an entry was kept as undecided, for the import summary. */
export type OssFuzzUndecided =
  | 'no affected versions listed'
  | 'its tags name no release of the product'
  | "its range is in another repository than the product's";

export interface OssFuzzAffected {
  entry: AffectedPackage;
  undecided?: OssFuzzUndecided;
}

export function isOssFuzzEntry(entry: Json): boolean {
  return isObject(entry.package) && entry.package.ecosystem === OSS_FUZZ_ECOSYSTEM;
}

/** The product entry an OSS-Fuzz `affected[]` entry stands for, or undefined when its project maps to none. */
export function ossFuzzAffected(entry: Json): OssFuzzAffected | undefined {
  if (!isOssFuzzEntry(entry)) return undefined;
  const project = asString((entry.package as Json).name);
  if (!project) return undefined;
  const repos = asArray(entry.ranges)
    .filter(isObject)
    .filter((range) => range.type === 'GIT')
    .flatMap((range) => (asString(range.repo) ? [range.repo as string] : []));
  const product = nativeProductForOssFuzz(project, repos);
  if (!product) return undefined;
  const tags = strings(entry.versions);
  const own = repos.some((repo) => isProductRepository(product, repo));
  const versions = own ? distinct(tags.flatMap((tag) => release(tag, product))) : [];
  const result: OssFuzzAffected = {
    entry: {
      ecosystem: 'upstream',
      name: product.product,
      normalizedName: product.product.toLowerCase(),
      scheme: product.scheme,
      ranges: [],
      versions,
    },
  };
  if (versions.length > 0) return result;
  const undecided: OssFuzzUndecided =
    tags.length === 0
      ? 'no affected versions listed'
      : own
        ? 'its tags name no release of the product'
        : "its range is in another repository than the product's";
  return { ...result, undecided };
}

function release(tag: string, product: NativeProduct): string[] {
  const version = releaseFromTag(tag, product.tags);
  return version === undefined ? [] : [version];
}
