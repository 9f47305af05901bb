/**
 * SQLite's quick_check reads every page of the store: ~0.1 s for the full store, on every audit.
 * The answer only changes when the file does, so a healthy verdict is remembered (in cvebuild's
 * cache directory) against the file's identity — device, inode, size and modification time of the
 * store and its WAL — and the check runs again whenever any of them changes: after every import or
 * update, and after anything else that writes the file (a copy, a truncation, a torn write).
 * Only "healthy" is remembered; a store found damaged is checked, and refused, every time.
 */
import { mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultCacheDirectory } from './paths.ts';

const MEMORY_FILE = 'store-health.json';
/** Far more than any real cache (one short line per store); a bigger file is not ours. */
const MAX_MEMORY_BYTES = 1024 * 1024;

/** The file's identity, or undefined when it cannot be told (an in-memory store, a vanished file). */
export function storeIdentity(path: string): { key: string; stamp: string } | undefined {
  if (path === ':memory:' || path === '') return undefined;
  try {
    const key = realpathSync(path);
    const parts = [statSync(key, { bigint: true })];
    try {
      parts.push(statSync(`${key}-wal`, { bigint: true }));
    } catch {
      // no WAL: the database file alone is the state
    }
    return { key, stamp: parts.map((s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}`).join('|') };
  } catch {
    return undefined;
  }
}

function read(file: string): Map<string, string> {
  try {
    if (statSync(file).size > MAX_MEMORY_BYTES) return new Map();
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return new Map();
    return new Map(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return new Map();
  }
}

export class HealthMemory {
  readonly #file: string;

  constructor(cacheDir: string = defaultCacheDirectory()) {
    this.#file = join(cacheDir, MEMORY_FILE);
  }

  wasHealthy(identity: { key: string; stamp: string }): boolean {
    return read(this.#file).get(identity.key) === identity.stamp;
  }

  /** Best effort: a cache that cannot be written only means the next run checks again. */
  rememberHealthy(identity: { key: string; stamp: string }): void {
    try {
      const entries = read(this.#file);
      entries.set(identity.key, identity.stamp);
      mkdirSync(dirname(this.#file), { recursive: true });
      const temporary = `${this.#file}.${process.pid}.tmp`;
      writeFileSync(temporary, `${JSON.stringify(Object.fromEntries(entries))}\n`, { mode: 0o600 });
      renameSync(temporary, this.#file);
    } catch {
      // read-only or missing cache directory
    }
  }
}
