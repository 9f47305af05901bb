/**
 * Which advisory packages an inventory package can be matched against, and how each connection was
 * made (so a reader can judge a match): PyPI packages by PEP 503 name; conda packages through, in
 * order, the lock's purls, the parselmouth conda→PyPI map in the store, the conda-native table
 * of C/C++ libraries, and the ecosystem-purl map of repackaged Rust, Go and Node tools.
 */
/** The conda→PyPI name map (`IntelStore.pypiNamesForConda`, usually behind a per-audit cache). */
export type NameMapLookup = (condaName: string) => string[] | undefined;

import { normalizePypiName, type Package } from '../model/package.ts';
import { ecosystemToolForConda, toolTarget } from './ecosystem-purl.ts';
import { buildOnlyProductForConda, nativeProductForConda, noUpstreamClassForConda } from './native.ts';
import type { UpstreamTarget } from './types.ts';

export function targetsFor(pkg: Package, nameMap: NameMapLookup): UpstreamTarget[] {
  if (pkg.ecosystem === 'pypi') {
    return pkg.version
      ? [{ ecosystem: 'PyPI', normalizedName: pkg.normalizedName, mappedBy: 'pypi-name', version: pkg.version }]
      : [];
  }
  if (!pkg.version) return [];
  const targets: UpstreamTarget[] = [];
  const seen = new Set<string>();
  const add = (target: UpstreamTarget) => {
    const key = `${target.ecosystem}/${target.normalizedName}`;
    if (seen.has(key)) return;
    seen.add(key);
    targets.push(target);
  };
  const fromPurls = pypiNamesFromPurls(pkg.purls);
  for (const name of fromPurls)
    add({ ecosystem: 'PyPI', normalizedName: name, mappedBy: 'purl', version: pkg.version });
  if (fromPurls.length === 0) {
    // `purls: []` says the lock's producer judged it no PyPI package, but its map may predate the
    // store's (zizmor): the map is still consulted, and the target says it is the weaker evidence.
    const mappedBy = lockSaysNoPypi(pkg) ? 'name-map-fallback' : 'name-map';
    for (const name of mappedPypiNames(pkg.normalizedName, nameMap)) {
      add({ ecosystem: 'PyPI', normalizedName: name, mappedBy, version: pkg.version });
    }
  }
  const native = nativeProductForConda(pkg.normalizedName);
  if (native)
    add({
      ecosystem: 'upstream',
      normalizedName: native.product,
      mappedBy: 'native',
      version: upstreamVersion(pkg.version),
    });
  const tool = ecosystemToolForConda(pkg.normalizedName);
  if (tool) add({ ...toolTarget(tool, pkg.version), mappedBy: 'ecosystem-purl' });
  return targets;
}

/**
 * Why `targetsFor` found no advisory package for `pkg`, in words a report can print: the cause is
 * read off the same fields `targetsFor` decides on. `nameMapHeld`: whether the store holds the
 * conda→PyPI name map at all (without it, "no entry" means "not looked up").
 */
export function whyUnmapped(pkg: Package, nameMapHeld: boolean): string {
  if (pkg.ecosystem === 'conda') {
    // what the product map knows the package to be says more than which lookups came up empty
    const noUpstream = noUpstreamClassForConda(pkg.normalizedName);
    if (noUpstream) return `no upstream: ${noUpstream.kind}`;
    if (buildOnlyProductForConda(pkg.normalizedName)) return 'build-only: compiler or build tool, not matched';
  }
  if (!pkg.version) return 'no version to compare (a source tree or an unversioned record)';
  if (pkg.purls.length > 0) return 'its purls name no PyPI package and no upstream product is mapped';
  if (!nameMapHeld)
    return 'no PyPI purls in the lock, no conda→PyPI name map in the store, and no upstream product mapped';
  if (lockSaysNoPypi(pkg)) return 'lock says purls: [] and no name-map entry or upstream product';
  return 'not a Python package (no purl, no name-map entry) and no upstream product mapped';
}

/** `purls: []` written by the producer (pixi's "known not to be a PyPI package"), not merely absent. */
export function lockSaysNoPypi(pkg: Package): boolean {
  return pkg.purls.length === 0 && pkg.purlsKnown === true;
}

/**
 * parselmouth maps some conda packages to several PyPI names because their files include vendored
 * or bundled distributions (docutils → docutils + setuptools, bleach → bleach + six). Those carry
 * their own versions, not the conda package's; so when the list includes the package's own name,
 * only that one is used (the name pixi's flat map picks too). Lists without it (py-opencv →
 * opencv-python, opencv-python-headless) are builds of one project and are all used.
 */
function mappedPypiNames(condaName: string, nameMap: NameMapLookup): string[] {
  const names = (nameMap(condaName) ?? []).map(normalizePypiName);
  const own = normalizePypiName(condaName);
  return names.length > 1 && names.includes(own) ? [own] : names;
}

/** `pkg:pypi/Flask?source=hash-mapping` → `flask`. */
export function pypiNamesFromPurls(purls: readonly string[]): string[] {
  const names: string[] = [];
  for (const purl of purls) {
    const match = /^pkg:pypi\/([^@?#]+)/i.exec(purl);
    if (match?.[1]) names.push(normalizePypiName(decodeURIComponent(match[1])));
  }
  return names;
}

/** conda versions of C libraries are the upstream version; drop a conda-only `_N` revision suffix. */
function upstreamVersion(condaVersion: string): string {
  return condaVersion.replace(/_\d+$/, '');
}
