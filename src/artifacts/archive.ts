/** One entry point for package archives: picks the reader by file extension. */
import { readCondaArchive } from './conda-archive.ts';
import type { ArchiveReadOptions, ArchiveScan } from './entries.ts';
import { archiveInvalid } from './limits.ts';
import { readTarBz2 } from './tar-bz2.ts';

export async function readPackageArchive(path: string, options: ArchiveReadOptions = {}): Promise<ArchiveScan> {
  if (path.endsWith('.conda')) return readCondaArchive(path, options);
  if (path.endsWith('.tar.bz2')) return readTarBz2(path, options);
  throw archiveInvalid(path, 'not a conda package archive (expected .conda or .tar.bz2)');
}
