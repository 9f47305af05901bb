/**
 * Names and identifiers SBOM documents need: the project's name, one readable reference per
 * package that is unique in the document, and document ids derived from the content, so that the
 * same inventory rendered at the same time gives byte-identical output.
 */
import { createHash } from 'node:crypto';
import { basename, resolve } from 'node:path';
import type { Package } from '../model/package.ts';
import { maskCredentials } from '../text/credentials.ts';
import type { ReportInput } from './report.ts';

/** The project directory's name (`examples/ml-service` → `ml-service`). */
export function projectName(report: ReportInput): string {
  return basename(resolve(report.root)) || 'project';
}

/**
 * `conda:linux-64/python@3.11.9-hb806964_0_cpython`: names the artifact and the platform it is placed
 * on. Masked here, since ids are made unique, and rewritten into SPDX ids, from this text.
 */
export function packageRefBase(pkg: Package): string {
  const version = pkg.version ? `@${pkg.version}` : '';
  const build = pkg.build ? `-${pkg.build}` : '';
  return maskCredentials(`${pkg.ecosystem}:${pkg.platform}/${pkg.name}${version}${build}`);
}

/**
 * One id per package from `base`, made unique where two packages share one (the same artifact from
 * two channels) by a suffix hashed from the location, which does not depend on the other packages.
 */
export function uniqueIds(packages: readonly Package[], base: (pkg: Package) => string): Map<Package, string> {
  const counts = new Map<string, number>();
  for (const pkg of packages) counts.set(base(pkg), (counts.get(base(pkg)) ?? 0) + 1);
  const ids = new Map<Package, string>();
  const taken = new Set<string>();
  for (const pkg of packages) {
    let id = base(pkg);
    if ((counts.get(id) ?? 0) > 1) id = `${id}-${sha256(pkg.location).slice(0, 10)}`;
    for (let n = 2; taken.has(id); n++) id = `${base(pkg)}-${sha256(`${pkg.location}\u0000${n}`).slice(0, 10)}`;
    taken.add(id);
    ids.set(pkg, id);
  }
  return ids;
}

/**
 * A URL as written in a lock, made a valid URI reference for an SBOM: whitespace, controls, bidi
 * and other invisible characters (which RFC 3987 forbids even in IRIs) and the characters no URI
 * holds unencoded are percent-encoded. Credentials are masked when the document is serialised.
 */
export function sbomUri(url: string): string {
  return url.replace(/[\s\p{Cc}\p{Cf}\p{Cs}<>"{}|\\^`]/gu, (char) =>
    char.length === 1 && char.charCodeAt(0) >= 0xd800 && char.charCodeAt(0) <= 0xdfff
      ? '%EF%BF%BD'
      : encodeURIComponent(char),
  );
}

/** A name-based (version 5) UUID for `name`, in the URL namespace of RFC 4122. */
export function nameUuid(name: string): string {
  const namespace = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');
  const bytes = createHash('sha1').update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
