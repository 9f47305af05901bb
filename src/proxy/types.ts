/**
 * What the proxy's parts share: the judge that decides which packages clients may see and fetch
 * (the engine's checks and the quarantine list, behind one call), the quarantine entries and
 * audit-log lines the state store keeps, and the views built from both.
 */
import type { Ecosystem, Package } from '../model/package.ts';

/** Why a package is withheld: a quarantine entry, or a blocking finding of one of the engine's checks. */
export interface BlockReason {
  /** `quarantine`, or the engine check id (`malicious`, `vulnerability`, `cooldown`, `attestation`, `typosquat`, `confusion`, ...). */
  source: string;
  /** The quarantine entry id, the advisory id, or the check's rule id. */
  id: string;
  /** One line a person can read (already safe to print: built from our own text and escaped fields). */
  message: string;
  /** Cooldown: when the package becomes allowed (ms since the epoch), for `Retry-After`. */
  until?: number;
}

/** The decisions for one batch: only withheld packages appear in `blocked`. */
export interface Judgement {
  blocked: Map<Package, BlockReason[]>;
  /**
   * What the decisions depend on besides the packages: policy digest, quarantine-list revision,
   * threat-data import time, cooldown bucket. A view built from the same upstream bytes under the
   * same `version` is the same view; it goes into the proxy's ETags.
   */
  version: string;
}

export interface JudgeScope {
  /** The configured upstream's name (`conda-forge`, `pypi`): quarantine entries and cooldown are per upstream. */
  upstream: string;
  ecosystem: Ecosystem;
  signal?: AbortSignal;
}

/**
 * Decides which packages clients may see. Packages are as readers make them (`Package`): conda
 * records with `channel`, `subdir`, `url`, `sha256`, `timestamp` (CEP 47 `indexed_timestamp` when
 * upstream gives it, else `timestamp`); PyPI files with `index`, `url`, `sha256` and `timestamp`
 * set to the file's PEP 700 upload time. A judge that cannot decide (stale threat data, a check that
 * failed) throws: the proxy then refuses to serve rather than serve unjudged packages.
 */
export interface Judge {
  judge(packages: readonly Package[], scope: JudgeScope): Promise<Judgement>;
  /** The current `Judgement.version` for an upstream, without judging anything (cheap; for ETags and view lookups). */
  version(upstream: string): Promise<string>;
}

/** What a quarantine entry matches: a whole package, one version of it, or one file. */
export interface QuarantineTarget {
  ecosystem: Ecosystem;
  /** The configured upstream's name; `*` for every upstream of the ecosystem. */
  upstream: string;
  /** Normalized package name (PEP 503 for PyPI, lowercase for conda). */
  name: string;
  version?: string;
  /** A file name (`numpy-2.0.0-py312h_0.conda`, `zipp-4.1.0-py3-none-any.whl`). */
  file?: string;
}

export interface QuarantineEntry extends QuarantineTarget {
  id: string;
  reason: string;
  /** Who quarantined it (the admin token's name). */
  by: string;
  createdAt: string;
  /** RFC 3339; absent: until released. */
  expiresAt?: string;
}

/** A quarantine entry as stored, with its release when it was released (entries are never deleted). */
export interface QuarantineRecord extends QuarantineEntry {
  releasedAt?: string;
  releasedBy?: string;
  releaseReason?: string;
}

/** One line of the audit log: every admin action and every refused download or filtered view. */
export interface AuditEvent {
  at: string;
  /** `quarantine`, `release`, `block-download`, `filter-view`, `policy-reload`, ... */
  action: string;
  /** Who: an admin token's name, or the client (address, user agent) for downloads. */
  actor: string;
  ecosystem?: Ecosystem;
  upstream?: string;
  name?: string;
  version?: string;
  file?: string;
  /** Free-form detail (reasons, entry id, counts). */
  detail?: Record<string, unknown>;
}

/**
 * Where quarantine entries and the audit log live: SQLite for one node, PostgreSQL for several
 * nodes sharing one list. Every write is durable when its promise resolves (a `kill -9` right after
 * loses nothing); a quarantine and its audit line are written in one transaction.
 */
export interface ProxyState {
  /** Entries neither released nor expired at `now`. */
  active(now: Date): Promise<QuarantineEntry[]>;
  /** Every entry ever made, released and expired ones too, newest first (at most `limit`). */
  history(query: { limit?: number }): Promise<QuarantineRecord[]>;
  /** Changes whenever an entry is added or released (on any node): nodes poll it to see changes. */
  revision(): Promise<number>;
  quarantine(
    target: QuarantineTarget,
    meta: { reason: string; by: string; expiresAt?: string },
    now: Date,
  ): Promise<QuarantineEntry>;
  /** False when no active entry has this id. */
  release(id: string, meta: { reason: string; by: string }, now: Date): Promise<boolean>;
  audit(event: AuditEvent): Promise<void>;
  /** Newest first. */
  auditLog(query: { since?: string; action?: string; limit?: number }): Promise<AuditEvent[]>;
  close(): Promise<void>;
}
