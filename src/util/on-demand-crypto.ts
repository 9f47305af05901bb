/**
 * node:crypto on first use rather than at start-up: loading it costs ~8 ms, and the modules a gate
 * loads (output files, downloads, caches, secret fingerprints) hash nothing on an ordinary gate run.
 */
import type { Hash } from 'node:crypto';

const crypto = () => process.getBuiltinModule('node:crypto');

export function createSha256(): Hash {
  return crypto().createHash('sha256');
}

/** `bytes` random bytes in hex: unique suffixes for temporary files. */
export function randomHex(bytes: number): string {
  return crypto().randomBytes(bytes).toString('hex');
}
