/** Package-archive reads keep no entry list: tests that look at entries collect them through `onEntry`. */
import type { ArchiveEntry, ArchiveReadOptions } from '../../src/artifacts/entries.ts';

export function listing(options: ArchiveReadOptions = {}): { entries: ArchiveEntry[]; options: ArchiveReadOptions } {
  const entries: ArchiveEntry[] = [];
  return { entries, options: { ...options, onEntry: (entry) => entries.push(entry) } };
}
