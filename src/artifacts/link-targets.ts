/**
 * Where the symlinks and hardlinks of a package archive lead once it is extracted. Targets are
 * resolved through the archive's own entries, component by component, as the operating system
 * resolves a path: a link to a link, or a directory that is itself a link, is followed. A target
 * that leaves the package root is found even when no single link target looks like it does
 * (`d → .` then `x → d/..`).
 */
import type { ArchiveEntry, ArchiveMember } from './entries.ts';

export type LinkType = 'symlink' | 'hardlink';

export interface EscapingLink {
  path: string;
  type: LinkType;
  /** The target as written in the archive. */
  target: string;
  reason: string;
  member: ArchiveMember;
}

export type Resolution = { inside: true; path: string } | { inside: false; reason: string } | { loop: true };

/** Linux gives up (ELOOP) after 40 links in one lookup; so do we. */
const MAX_LINK_HOPS = 40;

export function isLink(entry: ArchiveEntry): entry is ArchiveEntry & { type: LinkType } {
  return entry.type === 'symlink' || entry.type === 'hardlink';
}

/** The archive's entries by normalized path, as extraction leaves them: a later duplicate wins. */
export class ArchiveTree {
  private readonly byPath = new Map<string, ArchiveEntry>();

  constructor(entries: readonly ArchiveEntry[]) {
    for (const entry of entries) this.byPath.set(entry.path, entry);
  }

  entry(path: string): ArchiveEntry | undefined {
    return this.byPath.get(path);
  }

  /**
   * Where a link entry points. A symlink's target is relative to its own directory; a hardlink's
   * names another archive member, relative to the root.
   */
  linkTarget(entry: ArchiveEntry & { type: LinkType }): Resolution {
    if (entry.type === 'hardlink') return this.resolve([], entry.linkTarget ?? '');
    const directory = entry.path.split('/').slice(0, -1).join('/');
    const base = this.resolve([], directory);
    if (!('inside' in base) || !base.inside) return base;
    return this.resolve(base.path === '' ? [] : base.path.split('/'), entry.linkTarget ?? '');
  }

  /** `target` from the directory `base`, every symlink on the way followed (the last one too). */
  resolve(base: readonly string[], target: string): Resolution {
    if (isAbsolute(target)) return { inside: false, reason: `absolute target ${target}` };
    const resolved = [...base];
    const pending = segments(target);
    let hops = 0;
    while (pending.length > 0) {
      const segment = pending.shift() as string;
      if (segment === '' || segment === '.') continue;
      if (segment === '..') {
        if (resolved.length === 0) return { inside: false, reason: 'climbs out of the package root with ..' };
        resolved.pop();
        continue;
      }
      resolved.push(segment);
      const entry = this.byPath.get(resolved.join('/'));
      if (entry?.type !== 'symlink') continue;
      if (++hops > MAX_LINK_HOPS) return { loop: true };
      const next = entry.linkTarget ?? '';
      if (isAbsolute(next)) return { inside: false, reason: `through ${entry.path}, absolute target ${next}` };
      resolved.pop();
      pending.unshift(...segments(next));
    }
    return { inside: true, path: resolved.join('/') };
  }

  /**
   * The regular file whose content `path` stands for once links are followed (a hardlink is its
   * target's content), or why there is none in the package.
   */
  fileBehind(path: string): { file: ArchiveEntry } | { reason: string } {
    const start = this.resolve([], path);
    if ('loop' in start) return { reason: 'a loop of symlinks' };
    if (!start.inside) return { reason: `its target leaves the package (${start.reason})` };
    let current = start.path;
    for (let hops = 0; hops <= MAX_LINK_HOPS; hops++) {
      const entry = this.byPath.get(current);
      if (!entry) return { reason: `${current} is not in the package` };
      if (entry.type === 'file' || entry.type === 'unknown') return { file: entry };
      if (!isLink(entry)) return { reason: `${current} is a ${entry.type}` };
      const next = this.linkTarget(entry);
      if ('loop' in next) return { reason: 'a loop of symlinks' };
      if (!next.inside) return { reason: `its target leaves the package (${next.reason})` };
      current = next.path;
    }
    return { reason: 'a loop of links' };
  }
}

/** Every link whose target resolves outside the package root. */
export function escapingLinks(tree: ArchiveTree, entries: readonly ArchiveEntry[]): EscapingLink[] {
  const found: EscapingLink[] = [];
  for (const entry of entries) {
    if (!isLink(entry)) continue;
    const resolution = tree.linkTarget(entry);
    if ('loop' in resolution || resolution.inside) continue;
    found.push({
      path: entry.path,
      type: entry.type,
      target: entry.linkTarget ?? '',
      reason: resolution.reason,
      member: entry.member,
    });
  }
  return found;
}

function isAbsolute(target: string): boolean {
  return /^[\\/]/.test(target) || /^[A-Za-z]:/.test(target);
}

/** A backslash separates to a Windows installer, so it separates here too (as for entry names). */
function segments(target: string): string[] {
  return target.split(/[\\/]/);
}
