/**
 * The files this process read as inputs (locks, manifests, policies, threat data, keys, bundles,
 * package archives), by identity (device and inode, so a hard link or a second name is the same
 * file). A report, SBOM or bundle is never written over one of them.
 */
import type { BigIntStats } from 'node:fs';
import { statSync } from 'node:fs';

const inputs = new Map<string, string>();

const identity = (stats: Pick<BigIntStats, 'dev' | 'ino'>) => `${stats.dev}:${stats.ino}`;

export function noteInput(path: string, stats: Pick<BigIntStats, 'dev' | 'ino'>): void {
  inputs.set(identity(stats), path);
}

/**
 * The input a file is, as the path it was read by; undefined when it is none. The identity is
 * checked again on that path, so an inode the system reused after an input was deleted does not count.
 */
export function inputWithIdentity(stats: Pick<BigIntStats, 'dev' | 'ino'>): string | undefined {
  const key = identity(stats);
  const path = inputs.get(key);
  if (path === undefined) return undefined;
  let now: BigIntStats | undefined;
  try {
    now = statSync(path, { bigint: true, throwIfNoEntry: false });
  } catch {
    return path; // cannot tell: refusing a write is the safe side
  }
  if (now && identity(now) === key) return path;
  inputs.delete(key);
  return undefined;
}

/**
 * Starts a new run: what earlier commands in this process read is not an input of the next one
 * (the CLI runs one command per process; tests and library callers may run several).
 */
export function forgetInputs(): void {
  inputs.clear();
}
