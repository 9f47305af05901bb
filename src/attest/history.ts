/**
 * What this machine has seen attested before: per channel and package name, the versions whose
 * attestations verified and who signed them. It lets the attestation check notice a downgrade in
 * trust — a package whose earlier versions were attested arriving without one (the shape of a
 * hijacked release published outside the usual CI), as pnpm's `trustPolicy: no-downgrade` does
 * for npm. Kept in the cache directory; a lost file only means less history.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { canonicalChannel } from '../conda/channels.ts';
import { condaScheme } from '../versions/conda.ts';

export interface AttestedVersion {
  version: string;
  build?: string;
  signer: string;
  /** When it was verified (ISO 8601). */
  seenAt: string;
}

type HistoryFile = Record<string, AttestedVersion[]>;

export class AttestationHistory {
  private readonly path: string;
  private readonly entries: HistoryFile;
  private dirty = false;

  constructor(cacheDir: string) {
    this.path = join(cacheDir, 'attestations', 'history.json');
    this.entries = load(this.path);
  }

  record(channel: string, name: string, entry: AttestedVersion): void {
    const key = keyOf(channel, name);
    const list = this.entries[key] ?? [];
    if (list.some((seen) => seen.version === entry.version && seen.build === entry.build)) return;
    list.push(entry);
    this.entries[key] = list;
    this.dirty = true;
  }

  /** Attested versions of the package from that channel that are older than `version`. */
  earlierAttested(channel: string, name: string, version: string): AttestedVersion[] {
    return (this.entries[keyOf(channel, name)] ?? []).filter((seen) => {
      try {
        return condaScheme.compare(seen.version, version) < 0;
      } catch {
        return false;
      }
    });
  }

  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(this.entries, null, 1)}\n`);
    renameSync(temporary, this.path);
    this.dirty = false;
  }
}

function keyOf(channel: string, name: string): string {
  return `${canonicalChannel(channel)}|${name.toLowerCase()}`;
}

function load(path: string): HistoryFile {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as HistoryFile) : {};
  } catch {
    // a corrupt cache file is rebuilt, not fatal: it only holds history
    return {};
  }
}
