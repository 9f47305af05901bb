/**
 * What gets installed is the artifact a record points at (its URL and sha256), not the name and
 * version fields written beside it. A lock edited to say `litellm 1.82.6` next to the 1.82.7 wheel
 * must be audited as 1.82.7, and the edit itself is suspicious. So every package whose location is
 * a conda archive, a wheel or an sdist takes its identity from the file name; when the record said
 * otherwise, what it said is kept as `claimed` and the `lock-integrity` check reports it.
 */

import { fileNameOf, parseCondaArchiveName } from '../conda/url.ts';
import type { InventoryWarning } from '../model/inventory.ts';
import { normalizeName, type Package } from '../model/package.ts';
import { pep440Scheme } from '../versions/pep440.ts';

export interface ArtifactIdentity {
  name: string;
  version: string;
  /** Conda build string; PyPI files have none the lock records. */
  build?: string;
  file: string;
}

const SDIST_EXTENSIONS = ['.tar.gz', '.tgz', '.zip', '.tar.bz2', '.tar.xz', '.tar'] as const;

/** The identity the artifact's file name states, when the location is an artifact file at all. */
export function artifactIdentity(
  pkg: Pick<Package, 'ecosystem' | 'name' | 'location' | 'kind'>,
): ArtifactIdentity | undefined {
  if (pkg.kind === 'git' || pkg.kind === 'editable' || pkg.kind === 'source-build') return undefined;
  const file = fileNameOf(pkg.location);
  if (pkg.ecosystem === 'conda') {
    const archive = parseCondaArchiveName(file);
    return archive && { name: archive.name, version: archive.version, build: archive.build, file };
  }
  if (file.endsWith('.whl')) return wheelIdentity(file);
  const extension = SDIST_EXTENSIONS.find((ext) => file.toLowerCase().endsWith(ext));
  return extension
    ? sdistIdentity(file, file.slice(0, -extension.length), pkg.name, pkg.kind === 'registry')
    : undefined;
}

/** `{name}-{version}(-{build tag})?-{python}-{abi}-{platform}.whl` (the binary distribution format). */
function wheelIdentity(file: string): ArtifactIdentity | undefined {
  const parts = file.slice(0, -'.whl'.length).split('-');
  if (parts.length !== 5 && parts.length !== 6) return undefined;
  const [name, version] = parts;
  return name && version ? { name, version, file } : undefined;
}

/**
 * `{name}-{version}.tar.gz`: the name may itself contain dashes (`python-dateutil-2.8.2`), so the
 * record's own name decides the split when it fits; otherwise, for a file from an index, the last
 * dash does. A direct URL may name its archive anything (GitHub's `v2.0.0-alpha.0.tar.gz`): the
 * installer reads the name from the metadata inside, so such a file name says nothing.
 */
function sdistIdentity(
  file: string,
  stem: string,
  claimedName: string,
  fromIndex: boolean,
): ArtifactIdentity | undefined {
  const normalizedStem = normalizeName('pypi', stem);
  const prefix = `${normalizeName('pypi', claimedName)}-`;
  if (normalizedStem.startsWith(prefix)) {
    // the same number of characters: PEP 503 maps runs of separators to one, so count the name's runs
    const nameLength = lengthOfNormalizedPrefix(stem, prefix.length - 1);
    const version = stem.slice(nameLength + 1);
    return version ? { name: stem.slice(0, nameLength), version, file } : undefined;
  }
  const dash = stem.lastIndexOf('-');
  if (!fromIndex || dash <= 0 || dash === stem.length - 1) return undefined;
  return { name: stem.slice(0, dash), version: stem.slice(dash + 1), file };
}

/** How many characters of `text` normalise to the first `length` characters of its PEP 503 form. */
function lengthOfNormalizedPrefix(text: string, length: number): number {
  let produced = 0;
  let index = 0;
  while (index < text.length && produced < length) {
    if (/[-_.]/.test(text[index] as string)) {
      while (index < text.length && /[-_.]/.test(text[index] as string)) index++;
    } else {
      index++;
    }
    produced++;
  }
  return index;
}

/** Whether the record's name, version and build agree with its artifact (names and PyPI versions as their ecosystem compares them). */
function agrees(pkg: Package, artifact: ArtifactIdentity): boolean {
  if (normalizeName(pkg.ecosystem, pkg.name) !== normalizeName(pkg.ecosystem, artifact.name)) return false;
  if (pkg.ecosystem === 'conda')
    return pkg.version === artifact.version && (pkg.build ?? '') === (artifact.build ?? '');
  if (pkg.version === artifact.version) return true;
  return pep440Scheme.isValid(pkg.version) && pep440Scheme.isValid(artifact.version)
    ? pep440Scheme.compare(pkg.version, artifact.version) === 0
    : false;
}

/**
 * Gives every package the identity of its artifact; returns one warning per package that said
 * otherwise (each package object once, however many environments share it).
 */
export function reconcileArtifactIdentities(packages: Iterable<Package>): InventoryWarning[] {
  const warnings: InventoryWarning[] = [];
  for (const pkg of new Set(packages)) {
    const artifact = artifactIdentity(pkg);
    if (!artifact || agrees(pkg, artifact)) continue;
    pkg.claimed = { name: pkg.name, version: pkg.version, build: pkg.build };
    if (normalizeName(pkg.ecosystem, pkg.name) !== normalizeName(pkg.ecosystem, artifact.name)) {
      pkg.name = artifact.name;
      pkg.normalizedName = normalizeName(pkg.ecosystem, artifact.name);
    }
    pkg.version = artifact.version;
    if (artifact.build !== undefined) pkg.build = artifact.build;
    warnings.push({
      message: `the record says ${describe(pkg.claimed)} but its artifact is ${artifact.file}: auditing ${describe(pkg)}`,
      origin: pkg.origin,
    });
  }
  return warnings;
}

function describe(identity: { name: string; version: string; build?: string }): string {
  return `${identity.name} ${identity.version}${identity.build ? ` (${identity.build})` : ''}`;
}
