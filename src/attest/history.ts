/**
 * What has been seen attested before: per channel and package name, the versions whose
 * attestations verified and who signed them. It lets the attestation check notice a downgrade in
 * trust — a package whose earlier versions were attested arriving without one (the shape of a
 * hijacked release published outside the usual CI), as pnpm's `trustPolicy: no-downgrade` does
 * for npm.
 *
 * The check is handed a store (`CheckContext.history`): in memory for tests and long-lived
 * servers, or by default the JSON file `<cacheDir>/attestations/history.json`, where a lost file
 * only means less history.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { canonicalChannel } from '../conda/channels.ts';
import { randomHex } from '../util/on-demand-crypto.ts';
import { condaScheme } from '../versions/conda.ts';

export interface AttestedVersion {
  version: string;
  build?: string;
  signer: string;
  /** When it was verified (ISO 8601). */
  seenAt: string;
}

/** Where the attestation check remembers what verified, and asks what verified before. */
export interface AttestationHistoryStore {
  /** Attested versions of the package from that channel that are older than `version`, in the order recorded. */
  earlierAttested(channel: string, name: string, version: string): AttestedVersion[];
  /** Remembers a verified version (once per version and build). */
  record(channel: string, name: string, entry: AttestedVersion): void;
  /** Makes what `record` added durable; the check calls it once, at the end of its run. */
  flush(): void | Promise<void>;
}

/** Keys come from lock files (channel and package names), so they live in a Map, never on an object. */
type Entries = Map<string, AttestedVersion[]>;

/** History that lives as long as the object: for tests, and servers that keep one across runs. */
export class MemoryAttestationHistory implements AttestationHistoryStore {
  readonly #entries: Entries = new Map();

  record(channel: string, name: string, entry: AttestedVersion): void {
    add(this.#entries, keyOf(channel, name), entry);
  }

  earlierAttested(channel: string, name: string, version: string): AttestedVersion[] {
    return olderThan(this.#entries.get(keyOf(channel, name)), version);
  }

  flush(): void {}
}

/** How long a flush waits for another run's lock before writing without it. */
const LOCK_WAIT_MS = 5_000;
/** A lock older than this was left by a run that died while holding it. */
const LOCK_STALE_MS = 30_000;

/**
 * The history as one JSON file, read when constructed. Runs may share the file concurrently, so a
 * flush holds a lock file, re-reads what is on disk, adds this run's entries to it and renames a
 * complete new file into place: no run drops another's entries, and no reader sees half a file.
 */
export class FileAttestationHistory implements AttestationHistoryStore {
  readonly path: string;
  #entries: Entries;
  /** What this run recorded that the file did not hold when read: all a flush writes. */
  readonly #added: Entries = new Map();

  constructor(cacheDir: string) {
    this.path = historyFile(cacheDir);
    this.#entries = readEntries(this.path);
  }

  record(channel: string, name: string, entry: AttestedVersion): void {
    const key = keyOf(channel, name);
    if (add(this.#entries, key, entry)) add(this.#added, key, entry);
  }

  earlierAttested(channel: string, name: string, version: string): AttestedVersion[] {
    return olderThan(this.#entries.get(keyOf(channel, name)), version);
  }

  async flush(): Promise<void> {
    if (this.#added.size === 0) return;
    mkdirSync(dirname(this.path), { recursive: true });
    await withLock(`${this.path}.lock`, () => {
      const merged = readEntries(this.path);
      for (const [key, list] of this.#added) for (const entry of list) add(merged, key, entry);
      writeAtomically(this.path, `${JSON.stringify(Object.fromEntries(merged), null, 1)}\n`);
      this.#entries = merged;
    });
    this.#added.clear();
  }
}

export function historyFile(cacheDir: string): string {
  return join(cacheDir, 'attestations', 'history.json');
}

function keyOf(channel: string, name: string): string {
  return `${canonicalChannel(channel)}|${name.toLowerCase()}`;
}

/** Adds the entry unless that version and build is already there; true when added. */
function add(entries: Entries, key: string, entry: AttestedVersion): boolean {
  const list = entries.get(key);
  if (!list) {
    entries.set(key, [entry]);
    return true;
  }
  if (list.some((seen) => seen.version === entry.version && seen.build === entry.build)) return false;
  list.push(entry);
  return true;
}

function olderThan(list: readonly AttestedVersion[] | undefined, version: string): AttestedVersion[] {
  return (list ?? []).filter((seen) => {
    try {
      return condaScheme.compare(seen.version, version) < 0;
    } catch {
      return false;
    }
  });
}

/** A missing or corrupt file, or an entry of the wrong shape, is less history, not an error. */
function readEntries(path: string): Entries {
  const entries: Entries = new Map();
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return entries;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return entries;
  for (const [key, list] of Object.entries(parsed)) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const entry = attestedVersion(item);
      if (entry) add(entries, key, entry);
    }
  }
  return entries;
}

function attestedVersion(item: unknown): AttestedVersion | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const { version, build, signer, seenAt } = item as Record<string, unknown>;
  if (typeof version !== 'string' || typeof signer !== 'string' || typeof seenAt !== 'string') return undefined;
  if (build !== undefined && typeof build !== 'string') return undefined;
  return { version, ...(build === undefined ? {} : { build }), signer, seenAt };
}

/** A unique name beside the target, renamed over it: readers see the old file or the new one. */
function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${randomHex(4)}.tmp`;
  try {
    writeFileSync(temporary, text, { flag: 'wx' });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Runs `critical` holding `lockPath` (created exclusively). The lock is advisory: a run that cannot
 * get it in time writes anyway, since the worst outcome is a lost history entry, not a stuck check.
 */
async function withLock(lockPath: string, critical: () => void): Promise<void> {
  const held = await acquire(lockPath);
  try {
    critical();
  } finally {
    if (held) rmSync(lockPath, { force: true });
  }
}

async function acquire(lockPath: string): Promise<boolean> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockPath, 'wx'));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    const since = modifiedAt(lockPath);
    if (since !== undefined && Date.now() - since > LOCK_STALE_MS) {
      rmSync(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) return false;
    await delay(10 + Math.floor(Math.random() * 40));
  }
}

function modifiedAt(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}
