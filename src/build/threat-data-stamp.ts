/**
 * What a resumed build must notice about its threat data: the store's (or the loaded files') sizes
 * and modification times, not just the `--db` path. `db update` rewrites the same file, and a stage
 * resumed over newer advisories would report yesterday's answer as today's.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveStorePath } from '../intel/paths.ts';

/** A directory of threat data is a handful of files; a tree this big is not one, and its stamp stops there. */
const MAX_FILES = 10_000;

export function threatDataStamp(db: string | undefined): { path: string; files: [string, number, number][] } {
  const path = resolveStorePath(db);
  const files: [string, number, number][] = [];
  const visit = (file: string, emptyMeansAbsent = false): void => {
    if (files.length >= MAX_FILES) return;
    const stat = statSync(file, { throwIfNoEntry: false });
    if (!stat || (emptyMeansAbsent && stat.size === 0)) return;
    if (stat.isDirectory()) {
      for (const name of readdirSync(file).sort()) visit(join(file, name));
    } else if (stat.isFile()) files.push([file, stat.size, stat.mtimeMs]);
  };
  // SQLite in WAL mode writes to the side files first: an update may not touch the store file yet.
  // An empty WAL holds nothing: the first read of a fresh store creates one, and that is no new data.
  visit(path);
  visit(`${path}-wal`, true);
  return { path, files };
}
