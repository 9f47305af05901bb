/**
 * Inputs built to exhaust memory or time, generated at run time (nothing big is committed). Unit
 * tests build them small and lower the limits; bench/bombs.ts builds them at full size and runs the
 * CLI on them. Each generator says which cost it drives up.
 */
import { zipEntries } from './zip-writer.ts';

/**
 * One OSV record of about `bytes` characters whose size is its `versions` list: a list that size
 * is what a parse multiplies in memory. Runs of `run` equal versions set how well it compresses
 * (64 gives ~100:1, under the archive reader's 200:1 bomb ratio).
 */
export function bulkyOsvRecord(id: string, bytes: number, run = 64): string {
  const versions: string[] = [];
  let seed = 1;
  let version = '';
  let size = 0;
  while (size < bytes) {
    if (versions.length % run === 0) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      version = `1.${seed % 100000}`;
    }
    versions.push(version);
    size += version.length + 3;
  }
  return JSON.stringify({
    id,
    modified: '2025-01-01T00:00:00Z',
    affected: [{ package: { ecosystem: 'PyPI', name: 'bulky' }, versions }],
  });
}

/** osv.dev's all.zip shape: `count` entries, each the same bulky record (compressed once). */
export function osvZipBomb(count: number, recordBytes: number): Buffer {
  const record = bulkyOsvRecord('PYSEC-0', recordBytes);
  return zipEntries(Array.from({ length: count }, (_, index) => ({ name: `PYSEC-${index}.json`, data: record })));
}
