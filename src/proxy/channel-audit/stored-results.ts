/**
 * A proxy node's read-only view of a channel audit's state (state.ts): the records of one upstream
 * the audit found clean, so the judge runs the `vulnerability` and `malicious` checks only on the
 * others. A record is clean only when the state holds it (channel URL, subdir, file name, sha256)
 * under exactly the threat-data stamp the node's engine reads now, with no advisory, and its name
 * under that stamp with no "not checked" gap. That proves the engine would report nothing for it:
 * both checks' findings about a record come from its name, version and subdir matched against the
 * threat data (fixed by its file name and the stamp), and the policy only maps, waives or blocks
 * findings, it never makes one (undecided advisories are no finding either).
 *
 * The file is never written to: the audit may be writing it (WAL, a busy timeout). Anything wrong
 * with it (missing, unreadable, another schema, other threat data) is one warning in the log, and
 * every record goes through the engine, as without it.
 */
import { existsSync } from 'node:fs';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Package } from '../../model/package.ts';
import type { StoredResults } from '../judge.ts';
import { channelUrl } from './source.ts';
import { SCHEMA_VERSION } from './state.ts';

export interface ChannelAuditResultsOptions {
  /** The channel-audit state file (`cvebuild channel audit --state`). */
  path: string;
  /** The upstream's channel URL, as the audit was given it. */
  channel: string;
  /** The upstream's name, for the log. */
  upstream: string;
  log: (line: Record<string, unknown>) => void;
  /** How long to wait for a writer's lock (default 5 s). */
  busyTimeoutMs?: number;
  /** After a failure to open or read, how long before the file is tried again (default 30 s). */
  retryMs?: number;
  now?: () => number;
}

interface Lookup {
  db: DatabaseSync;
  /** The records of a subdir, among `[[filename, sha256], ...]`, stored clean under a stamp. */
  clean: StatementSync;
  /** How many of them the state holds at all, and under the stamp. */
  held: StatementSync;
}

const NO_PACKAGES: ReadonlySet<Package> = new Set();

export class ChannelAuditResults implements StoredResults {
  readonly #options: ChannelAuditResultsOptions;
  readonly #channel: string;
  readonly #now: () => number;
  #lookup: Lookup | undefined;
  #retryAt = 0;
  /** Records looked up, and those found clean (the engine ran neither check on them). */
  readonly counters = { looked: 0, clean: 0 };
  /** The last thing said in the log, so a standing problem is said once. */
  #said: string | undefined;

  constructor(options: ChannelAuditResultsOptions) {
    this.#options = options;
    this.#channel = channelUrl(options.channel);
    this.#now = options.now ?? Date.now;
  }

  clean(packages: readonly Package[], threat: string): ReadonlySet<Package> {
    const lookup = this.#open();
    if (!lookup) return NO_PACKAGES;
    // per subdir, the batch's keys go to SQLite as one JSON array: one statement per batch rather
    // than one per record (a call costs more than the index lookup it makes)
    const bySubdir = new Map<string, Map<string, Package[]>>();
    for (const pkg of packages) {
      const key = keyOf(pkg);
      if (!key) continue;
      const files = bySubdir.get(key.subdir) ?? new Map<string, Package[]>();
      const id = `${key.filename}\0${key.sha256}`;
      files.set(id, [...(files.get(id) ?? []), pkg]);
      bySubdir.set(key.subdir, files);
    }
    const clean = new Set<Package>();
    let held = 0;
    let current = 0;
    try {
      // one read transaction: one snapshot of what the audit has committed
      lookup.db.exec('BEGIN');
      try {
        for (const [subdir, files] of bySubdir) {
          const keys = JSON.stringify([...files.keys()].map((id) => id.split('\0')));
          const rows = lookup.clean.all(keys, this.#channel, subdir, threat) as { filename: string; sha256: string }[];
          for (const row of rows) for (const pkg of files.get(`${row.filename}\0${row.sha256}`) ?? []) clean.add(pkg);
          // why nothing is clean is asked only then (for the log)
          if (rows.length === 0) {
            const counts = lookup.held.get(threat, keys, this.#channel, subdir) as {
              held: number;
              current: number | null;
            };
            held += counts.held;
            current += counts.current ?? 0;
          } else {
            held += rows.length;
            current += rows.length;
          }
        }
      } finally {
        if (lookup.db.isTransaction) lookup.db.exec('COMMIT');
      }
    } catch (error) {
      this.#close();
      this.#retryAt = this.#now() + (this.#options.retryMs ?? 30_000);
      this.#warn(`cannot read it: ${(error as Error).message}`);
      return NO_PACKAGES;
    }
    this.counters.looked += packages.length;
    this.counters.clean += clean.size;
    if (bySubdir.size > 0 && held === 0) this.#warn(`it holds none of these records of ${this.#channel}`);
    else if (held > 0 && current === 0)
      this.#warn('it was written under other threat data (run `cvebuild channel audit` again)', threat);
    else this.#said = undefined;
    return clean;
  }

  close(): void {
    this.#close();
  }

  #open(): Lookup | undefined {
    if (this.#lookup) return this.#lookup;
    if (this.#now() < this.#retryAt) return undefined;
    const { path } = this.#options;
    let db: DatabaseSync | undefined;
    try {
      if (!existsSync(path)) throw new Error('no such file');
      db = new DatabaseSync(path, { readOnly: true, timeout: this.#options.busyTimeoutMs ?? 5_000 });
      const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
      if (version !== SCHEMA_VERSION)
        throw new Error(
          `it has schema ${version}, this cvebuild reads ${SCHEMA_VERSION}: run \`cvebuild channel audit\``,
        );
      // CROSS JOIN fixes SQLite's join order: key by key into the index, never the subdir's records
      // scanned once per key
      const keys = `json_each(?) AS k CROSS JOIN records AS r ON r.channel = ? AND r.subdir = ?
        AND r.filename = json_extract(k.value, '$[0]') AND r.sha256 = json_extract(k.value, '$[1]')`;
      const clean = db.prepare(
        `SELECT r.filename AS filename, r.sha256 AS sha256 FROM ${keys}
         JOIN names AS n ON n.channel = r.channel AND n.name = r.name AND n.threat = r.threat
         WHERE r.threat = ? AND r.hits IS NULL AND json_array_length(n.coverage, '$.gaps') = 0`,
      );
      const held = db.prepare(`SELECT COUNT(*) AS held, SUM(r.threat = ?) AS current FROM ${keys}`);
      this.#lookup = { db, clean, held };
      return this.#lookup;
    } catch (error) {
      db?.close();
      this.#retryAt = this.#now() + (this.#options.retryMs ?? 30_000);
      this.#warn(`cannot open it: ${(error as Error).message}`);
      return undefined;
    }
  }

  #close(): void {
    try {
      this.#lookup?.db.close();
    } catch {}
    this.#lookup = undefined;
  }

  #warn(problem: string, threat?: string): void {
    const said = `${problem}\0${threat ?? ''}`;
    if (this.#said === said) return;
    this.#said = said;
    this.#options.log({
      level: 'warn',
      msg: `channel-audit results not used: ${problem}; the engine checks every record`,
      upstream: this.#options.upstream,
      file: this.#options.path,
    });
  }
}

/** Where the audit keeps a record: its subdir, file name and digest (none without a digest). */
function keyOf(pkg: Package): { subdir: string; filename: string; sha256: string } | undefined {
  if (pkg.ecosystem !== 'conda' || !pkg.sha256 || !pkg.url) return undefined;
  return {
    subdir: pkg.platform,
    filename: pkg.url.slice(pkg.url.lastIndexOf('/') + 1),
    sha256: pkg.sha256.toLowerCase(),
  };
}
