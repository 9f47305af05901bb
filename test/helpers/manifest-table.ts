/**
 * Reads the corpus MANIFEST.md tables, so corpus tests compare against the counts the collector
 * recorded independently of cvebuild (rows like `| pixi/x/pixi.lock | ... | pixi lock v6 | conda 131 / pypi 148 | ...`).
 */
import { readFileSync } from 'node:fs';
import { corpus } from './paths.ts';

export interface ManifestLockRow {
  path: string;
  format: string;
  conda: number;
  pypi: number;
  condaSource: number;
}

export function manifestLockRows(): ManifestLockRow[] {
  const rows: ManifestLockRow[] = [];
  for (const line of readFileSync(corpus('MANIFEST.md'), 'utf8').split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 9) continue;
    const path = cells[1]?.replace(/`/g, '') ?? '';
    const format = cells[6] ?? '';
    const counts = /conda (\d+) \/ pypi (\d+)(?: \/ conda_source (\d+))?/.exec(cells[7] ?? '');
    if (!/^(pixi lock v\d+|conda-lock v\d+)$/.test(format) || !counts) continue;
    rows.push({
      path,
      format,
      conda: Number(counts[1]),
      pypi: Number(counts[2]),
      condaSource: Number(counts[3] ?? 0),
    });
  }
  return rows;
}
