import type { AffectedEcosystem } from '../intel/model.ts';

/**
 * How a conda package was connected to an advisory's package, so a reader can judge the match.
 * - `purl`        the lock's own `purls` (pkg:pypi/…)
 * - `name-map`    the parselmouth conda→PyPI map in the store
 * - `name-map-fallback` the same map, for a package whose lock says `purls: []`: lower confidence,
 *                 since the lock's producer judged it not a PyPI package (often a map entry newer than the lock)
 * - `native`      cvebuild's table of conda-forge C/C++ libraries → upstream products (data/conda-native.json)
 * - `ecosystem-purl` cvebuild's map of repackaged Rust, Go and Node tools → their crates.io, Go or npm
 *                 package (data/conda-ecosystems.json)
 * - `pypi-name`   a PyPI package, matched by its PEP 503 name
 */
export type MappedBy = 'purl' | 'name-map' | 'name-map-fallback' | 'native' | 'ecosystem-purl' | 'pypi-name';

export interface UpstreamTarget {
  ecosystem: AffectedEcosystem;
  normalizedName: string;
  mappedBy: MappedBy;
  /** The version to compare, in the target's scheme (conda `3.0.7` → upstream `3.0.7`). */
  version: string;
}
