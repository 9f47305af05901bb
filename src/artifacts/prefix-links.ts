/**
 * Symlinks an installed package left in its prefix whose target resolves outside the prefix
 * (`etc → /etc`, `x → ../../../root/.ssh`): anything later written through them lands there.
 * The package's files are those its conda-meta record lists; a target inside the package cache
 * directory the record names is conda's own softlink install, not an escape.
 */
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { isWithin } from './link-scripts.ts';
import { normalizeArchivePath } from './paths.ts';

export interface PrefixEscapingLink {
  path: string;
  type: 'symlink';
  target: string;
  reason: string;
}

export function prefixEscapingLinks(
  prefix: string,
  files: readonly string[],
  packageCache?: string,
): PrefixEscapingLink[] {
  const insides = [prefix, realpathOr(prefix), ...(packageCache ? [packageCache, realpathOr(packageCache)] : [])];
  const found: PrefixEscapingLink[] = [];
  for (const file of files) {
    const { path, unsafe } = normalizeArchivePath(file);
    if (unsafe || path === '') continue;
    const absolute = join(prefix, path);
    let target: string;
    try {
      if (!lstatSync(absolute, { throwIfNoEntry: false })?.isSymbolicLink()) continue;
      target = readlinkSync(absolute);
    } catch {
      continue; // gone or unreadable: nothing to follow
    }
    // Where it really leads when it resolves; where it says it leads when it dangles.
    const leadsTo = realpathOr(absolute, isAbsolute(target) ? resolve(target) : resolve(dirname(absolute), target));
    if (insides.some((inside) => isWithin(inside, leadsTo))) continue;
    found.push({
      path,
      type: 'symlink',
      target,
      reason: isAbsolute(target) ? `absolute target ${target}` : `resolves to ${leadsTo}, outside the prefix`,
    });
  }
  return found;
}

function realpathOr(path: string, fallback = path): string {
  try {
    return realpathSync(path);
  } catch {
    return fallback;
  }
}
