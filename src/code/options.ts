/** The policy keys every code check shares (`exclude`, `max-file-size`), and how they fill its settings. */
import { zod } from '../policy/zod.ts';
import type { CodeScanSettings } from './types.ts';
import { DEFAULT_MAX_FILE_SIZE } from './walk.ts';

// A Map, because the unit is the policy's text: `5constructor` must not find Object's.
const UNITS = new Map<string, number>([
  ['', 1],
  ['b', 1],
  ['kb', 1000],
  ['kib', 1024],
  ['mb', 1000 ** 2],
  ['mib', 1024 ** 2],
  ['gb', 1000 ** 3],
  ['gib', 1024 ** 3],
]);

/** `5MiB`, `512 KB`, `1000000` → bytes; undefined when not a size. */
export function parseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? UNITS.get((match[2] as string).toLowerCase()) : undefined;
  if (!match || unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return bytes > 0 ? bytes : undefined;
}

export function codeScanShape() {
  const z = zod();
  return {
    exclude: z.array(z.string().min(1)),
    'max-file-size': z.union([z.number(), z.string()]).refine((value) => parseSize(value) !== undefined, {
      message: 'not a size (use bytes, or e.g. "512KiB", "5MiB")',
    }),
  };
}

export function codeScanDefaults(): CodeScanSettings {
  return { exclude: [], maxFileSize: DEFAULT_MAX_FILE_SIZE };
}

/** `exclude` patterns are gitignore patterns relative to the scanned root (where .gitignore would be). */
export function applyCodeScanOptions(
  values: { exclude?: string[]; 'max-file-size'?: number | string },
  settings: CodeScanSettings,
): void {
  if (values.exclude) settings.exclude.push(...values.exclude);
  const size = values['max-file-size'];
  if (size !== undefined) settings.maxFileSize = parseSize(size) ?? settings.maxFileSize;
}
