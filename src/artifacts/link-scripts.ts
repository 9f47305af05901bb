/**
 * Conda link scripts: where installers look for them (`bin/.<name>-<action>.sh`,
 * `Scripts/.<name>-<action>.bat`, and `python-scripts/` for noarch python, which installers map
 * to bin/Scripts), and finding them in a package archive or an installed prefix.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { readPackageArchive } from './archive.ts';
import type { UnsafePath } from './entries.ts';
import { type ArchiveLimits, DEFAULT_ARCHIVE_LIMITS } from './limits.ts';

export const LINK_ACTIONS = ['pre-link', 'post-link', 'pre-unlink', 'post-unlink'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];

export interface LinkScript {
  /** Path inside the archive or relative to the prefix, `/`-separated. */
  path: string;
  action: LinkAction;
  sha256: string;
  size: number;
  /** First lines of the script, each cut to a readable length. */
  firstLines: string[];
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
}

const PREVIEW_LINES = 5;
const PREVIEW_LINE_CHARS = 200;
const ACTION = '(pre-link|post-link|pre-unlink|post-unlink)';
const PAYLOAD_SCRIPT = new RegExp(`^(bin|Scripts|python-scripts)/\\.(.+)-${ACTION}\\.(sh|bat)$`);
const RECIPE_COPY = new RegExp(`^info/recipe/${ACTION}\\.(sh|bat)$`);

/** The action of a payload script that an installer would run for package `name`. */
export function payloadScriptAction(path: string, name: string): LinkAction | undefined {
  const match = PAYLOAD_SCRIPT.exec(path);
  if (!match || match[2] !== name) return undefined;
  const [, dir, , action, extension] = match;
  if ((dir === 'bin' && extension !== 'sh') || (dir === 'Scripts' && extension !== 'bat')) return undefined;
  return action as LinkAction;
}

export function recipeCopyAction(path: string): LinkAction | undefined {
  return RECIPE_COPY.exec(path)?.[1] as LinkAction | undefined;
}

/** Unsafe names are reported, not refused, so the caller can turn them into a finding. */
export async function archiveLinkScripts(
  archive: string,
  name: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<ArchiveLinkScripts> {
  const scan = await readPackageArchive(archive, {
    limits,
    unsafePaths: 'report',
    select: (entry) =>
      entry.type === 'file' &&
      (entry.member === 'info'
        ? recipeCopyAction(entry.path) !== undefined
        : entry.member === 'pkg'
          ? payloadScriptAction(entry.path, name) !== undefined
          : payloadScriptAction(entry.path, name) !== undefined || recipeCopyAction(entry.path) !== undefined),
  });
  const result: ArchiveLinkScripts = {
    archive,
    scripts: [],
    recipeCopies: [],
    unsafePaths: scan.unsafePaths,
    unsafeCount: scan.unsafeCount,
  };
  for (const [path, content] of [...scan.contents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const script = { path, sha256: content.sha256, size: content.size, firstLines: firstLines(content.head) };
    const payload = payloadScriptAction(path, name);
    if (payload) result.scripts.push({ ...script, action: payload });
    const recipe = recipeCopyAction(path);
    if (recipe) result.recipeCopies.push({ ...script, action: recipe });
  }
  return result;
}

/** Scripts an installed package left in its prefix (conda keeps them in bin/ and Scripts/). */
export function prefixLinkScripts(prefix: string, name: string, maxReadBytes = DEFAULT_ARCHIVE_LIMITS.maxReadBytes) {
  const scripts: LinkScript[] = [];
  for (const action of LINK_ACTIONS) {
    for (const path of [`bin/.${name}-${action}.sh`, `Scripts/.${name}-${action}.bat`]) {
      const file = join(prefix, path);
      if (!lstatSync(file, { throwIfNoEntry: false })?.isFile()) continue;
      scripts.push({ path, action, ...hashFile(file, maxReadBytes) });
    }
  }
  return scripts;
}

function hashFile(file: string, maxReadBytes: number): { sha256: string; size: number; firstLines: string[] } {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(64 * 1024);
  const head: Buffer[] = [];
  let size = 0;
  const fd = openSync(file, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) {
      const chunk = buffer.subarray(0, read);
      hash.update(chunk);
      if (size < maxReadBytes) head.push(Buffer.from(chunk.subarray(0, maxReadBytes - size)));
      size += read;
    }
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
