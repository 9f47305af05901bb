/**
 * Conda link scripts: where installers look for them (`bin/.<name>-<action>.sh`,
 * `Scripts/.<name>-<action>.bat`, and `python-scripts/` for noarch python, which installers map
 * to bin/Scripts), and finding them in a package archive or an installed prefix.
 *
 * What runs is whatever the installer finds at that path, so a script is reported whatever
 * stands there: a file, a symlink or hardlink to one, or a file reached through a linked
 * directory. The content shown is the file behind the links, read only when it is inside the
 * package or prefix.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { CvebuildError } from '../errors.ts';
import { readError } from '../fs/errors.ts';
import { openRegularFile } from '../fs/regular-file.ts';
import { readPackageArchive } from './archive.ts';
import type { ArchiveEntry, ArchiveMember, ArchiveScan, UnsafePath } from './entries.ts';
import { type ArchiveLimits, archiveBomb, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';
import { ArchiveTree, type EscapingLink, escapingLinks, isLink } from './link-targets.ts';
import type { TarContent } from './tar.ts';

export const LINK_ACTIONS = ['pre-link', 'post-link', 'pre-unlink', 'post-unlink'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export interface LinkScript {
  /** Where installers look for it: inside the archive or relative to the prefix, `/`-separated. */
  path: string;
  action: LinkAction;
  /** Set when the script is a link, or lies in a linked directory. */
  link?: ScriptLink;
  /** Of the file behind the script; absent when it could not be read (`unread` says why). */
  sha256?: string;
  size?: number;
  /** First lines of the script, each cut to a readable length. */
  firstLines: string[];
  unread?: string;
}

export interface ScriptLink {
  type: 'symlink' | 'hardlink' | 'linked directory';
  /** The target as written; for a linked directory, where the script really is. */
  target: string;
  /** The file whose content runs, when it is in the package or prefix. */
  file?: string;
}

export interface UnknownEntry {
  path: string;
  typeflag: string;
  member: ArchiveMember;
}

export interface ArchiveLinkScripts {
  archive: string;
  /** Scripts in the payload, which installers run. */
  scripts: LinkScript[];
  /** `info/recipe/` copies of recipe scripts: never run, but a sign the payload should hold one. */
  recipeCopies: LinkScript[];
  /** The first few unsafe names, and how many there were. */
  unsafePaths: UnsafePath[];
  unsafeCount: number;
  /** Symlinks and hardlinks whose target resolves outside the package root. */
  escapingLinks: EscapingLink[];
  /** Entries of a tar type cvebuild does not know: the archive was not fully judged. */
  unknownEntries: UnknownEntry[];
}

const PREVIEW_LINES = 5;
const PREVIEW_LINE_CHARS = 200;
const RECIPE_COPY = /^info\/recipe\/(pre-link|post-link|pre-unlink|post-unlink)\.(sh|bat)$/;

/** Every path an installer runs a script of package `name` from, in an archive. */
function archiveScriptPaths(name: string): Map<string, LinkAction> {
  const paths = new Map<string, LinkAction>();
  for (const action of LINK_ACTIONS) {
    paths.set(`bin/.${name}-${action}.sh`, action);
    paths.set(`Scripts/.${name}-${action}.bat`, action);
    paths.set(`python-scripts/.${name}-${action}.sh`, action);
    paths.set(`python-scripts/.${name}-${action}.bat`, action);
  }
  return paths;
}

export function recipeCopyAction(path: string): LinkAction | undefined {
  return RECIPE_COPY.exec(path)?.[1] as LinkAction | undefined;
}

const hasContent = (entry: ArchiveEntry) => entry.type === 'file' || entry.type === 'unknown';

/** Unsafe names are reported, not refused, so the caller can turn them into a finding. */
export async function archiveLinkScripts(
  archive: string,
  name: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<ArchiveLinkScripts> {
  const scriptPaths = archiveScriptPaths(name);
  const listed = new ListedEntries(archive, limits);
  const scan = await readPackageArchive(archive, {
    limits,
    unsafePaths: 'report',
    onEntry: (entry) => listed.add(entry),
    select: (entry) =>
      hasContent(entry) &&
      (scriptPaths.has(entry.path) || (entry.member !== 'pkg' && recipeCopyAction(entry.path) !== undefined)),
  });
  const tree = new ArchiveTree(listed.entries);
  const found = [...scriptPaths].flatMap(([path, action]) => {
    const reached = reachScript(tree, path);
    return reached ? [{ path, action, ...reached }] : [];
  });
  // A script behind a link whose file was not kept on the way (it came first): read once more for it.
  const missing = new Set(found.flatMap(({ file }) => (file && !scan.contents.has(file) ? [file] : [])));
  const contents = missing.size > 0 ? await rereadContents(archive, limits, missing, scan) : scan.contents;
  const scripts = found.map(({ path, action, link, file, unread }): LinkScript => {
    const content = file === undefined ? undefined : contents.get(file);
    const script: LinkScript = { path, action, firstLines: [] };
    if (link) script.link = link;
    if (content) Object.assign(script, describeContent(content));
    else script.unread = unread ?? 'its content was not found in the archive';
    return script;
  });
  const recipeCopies = [...scan.contents]
    .filter(([path]) => recipeCopyAction(path) !== undefined)
    .map(([path, content]) => ({ path, action: recipeCopyAction(path) as LinkAction, ...describeContent(content) }));
  return {
    archive,
    scripts: scripts.sort(byPath),
    recipeCopies: recipeCopies.sort(byPath),
    unsafePaths: scan.unsafePaths,
    unsafeCount: scan.unsafeCount,
    escapingLinks: escapingLinks(tree, listed.entries),
    unknownEntries: listed.entries.flatMap((entry) =>
      entry.type === 'unknown' ? [{ path: entry.path, typeflag: entry.typeflag ?? '?', member: entry.member }] : [],
    ),
  };
}

/**
 * Link resolution needs every entry's path, type and target, so they are listed, within a budget
 * of their own: names are capped one by one (maxNameBytes), and their sum here (maxListedBytes,
 * with a fixed charge per entry), so an archive of many long names ends as an unreadable archive
 * instead of exhausting memory.
 */
class ListedEntries {
  readonly entries: ArchiveEntry[] = [];
  private bytes = 0;
  private readonly archive: string;
  private readonly limit: number;

  constructor(archive: string, limits: Partial<ArchiveLimits>) {
    this.archive = archive;
    this.limit = limits.maxListedBytes ?? DEFAULT_ARCHIVE_LIMITS.maxListedBytes;
  }

  add(entry: ArchiveEntry): void {
    this.bytes += entry.path.length + (entry.linkTarget?.length ?? 0) + 32;
    if (this.bytes > this.limit) {
      throw archiveBomb(this.archive, `entry names add up to more than ${this.limit} bytes (limit maxListedBytes)`);
    }
    this.entries.push(entry);
  }
}

interface ReachedScript {
  link?: ScriptLink;
  /** The archive path of the file that runs. */
  file?: string;
  unread?: string;
}

/** What an installer finds at `path`: a file, a link to one, or a file in a linked directory. */
function reachScript(tree: ArchiveTree, path: string): ReachedScript | undefined {
  const entry = tree.entry(path);
  if (entry && hasContent(entry)) return { file: path };
  if (entry && isLink(entry)) {
    const link: ScriptLink = { type: entry.type, target: entry.linkTarget ?? '' };
    const behind = tree.fileBehind(path);
    if ('reason' in behind) return { link, unread: behind.reason };
    link.file = behind.file.path;
    return { link, file: behind.file.path };
  }
  if (entry) return entry.type === 'directory' ? undefined : { unread: `a ${entry.type} entry, not a file` };
  const resolved = tree.resolve([], path);
  if (!('inside' in resolved) || !resolved.inside || resolved.path === path || !tree.entry(resolved.path))
    return undefined;
  const behind = tree.fileBehind(path);
  if ('reason' in behind) return undefined;
  return {
    link: { type: 'linked directory', target: resolved.path, file: behind.file.path },
    file: behind.file.path,
  };
}

async function rereadContents(
  archive: string,
  limits: Partial<ArchiveLimits>,
  wanted: Set<string>,
  first: ArchiveScan,
): Promise<Map<string, TarContent>> {
  const again = await readPackageArchive(archive, {
    limits,
    unsafePaths: 'report',
    select: (entry) => hasContent(entry) && wanted.has(entry.path),
  });
  return new Map([...first.contents, ...again.contents]);
}

function describeContent(content: TarContent): { sha256: string; size: number; firstLines: string[] } {
  return { sha256: content.sha256, size: content.size, firstLines: firstLines(content.head) };
}

const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

/**
 * Scripts an installed package left in its prefix (conda keeps them in bin/ and Scripts/). A link
 * is followed only to read a file inside the prefix: a target elsewhere (`/etc/shadow`) is named,
 * never read into a report.
 */
export function prefixLinkScripts(
  prefix: string,
  name: string,
  maxReadBytes = DEFAULT_ARCHIVE_LIMITS.maxReadBytes,
): LinkScript[] {
  const scripts: LinkScript[] = [];
  const realPrefix = realpathOrUndefined(prefix) ?? prefix;
  for (const action of LINK_ACTIONS) {
    for (const path of [`bin/.${name}-${action}.sh`, `Scripts/.${name}-${action}.bat`]) {
      const file = join(prefix, path);
      const stats = lstatOrUndefined(file);
      if (!stats || stats.isDirectory()) continue;
      const script: LinkScript = { path, action, firstLines: [] };
      const real = realpathOrUndefined(file);
      if (stats.isSymbolicLink()) script.link = { type: 'symlink', target: readlinkSync(file) };
      else if (real !== undefined && real !== join(realPrefix, path)) {
        script.link = { type: 'linked directory', target: real };
      }
      if (real === undefined) script.unread = 'its target does not exist';
      else if (!isWithin(realPrefix, real)) script.unread = `its target ${real} is outside the prefix`;
      else {
        if (script.link) script.link.file = relative(realPrefix, real).split(sep).join('/');
        try {
          Object.assign(script, hashFile(real, maxReadBytes));
        } catch (error) {
          if (!(error instanceof CvebuildError)) throw error;
          script.unread = error.message;
        }
      }
      scripts.push(script);
    }
  }
  return scripts;
}

export function isWithin(directory: string, path: string): boolean {
  const rest = relative(directory, path);
  return rest === '' || (!rest.startsWith(`..${sep}`) && rest !== '..' && !/^([A-Za-z]:|[\\/])/.test(rest));
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw readError(path, error);
  }
}

function realpathOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** Hashes the whole file, keeping its first `maxReadBytes` for the preview; FIFOs and devices are refused. */
function hashFile(file: string, maxReadBytes: number): { sha256: string; size: number; firstLines: string[] } {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(64 * 1024);
  const head: Buffer[] = [];
  let size = 0;
  const { fd } = openRegularFile(file);
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const chunk = buffer.subarray(0, read);
      hash.update(chunk);
      if (size < maxReadBytes) head.push(Buffer.from(chunk.subarray(0, maxReadBytes - size)));
      size += read;
    }
  } catch (error) {
    throw readError(file, error);
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size, firstLines: firstLines(Buffer.concat(head)) };
}

export function firstLines(head: Buffer): string[] {
  return head
    .toString('utf8')
    .replace(/(\r?\n)+$/, '')
    .split(/\r?\n/)
    .slice(0, PREVIEW_LINES)
    .map((line) => (line.length > PREVIEW_LINE_CHARS ? `${line.slice(0, PREVIEW_LINE_CHARS - 3)}...` : line));
}
