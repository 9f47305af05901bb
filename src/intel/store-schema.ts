/**
 * The threat-intel store's SQLite schema as an ordered list of migrations: migration i takes a
 * store from schema version i to i + 1 (`PRAGMA user_version`). Append, never edit, a migration.
 */

/** Marks a SQLite file as a cvebuild store (`PRAGMA application_id`, "cveb"). */
export const APPLICATION_ID = 0x63766562;

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE advisories (
    id TEXT PRIMARY KEY,
    feed TEXT NOT NULL,
    kind TEXT NOT NULL,
    modified TEXT NOT NULL,
    -- modified in ms since the epoch, clamped to the time of import: a record dated in the future
    -- (some PyPA records say 2027) must not outrank every later correction
    modified_at INTEGER NOT NULL,
    published TEXT,
    withdrawn TEXT,
    summary TEXT,
    severity_level TEXT,
    severity_score REAL,
    severity_vectors TEXT NOT NULL,
    severity_basis TEXT,
    cwes TEXT NOT NULL,
    refs TEXT NOT NULL,
    aliases TEXT NOT NULL,
    -- the whole normalised Advisory, so reads need no joins
    json TEXT NOT NULL
  );
  CREATE TABLE advisory_aliases (
    alias TEXT NOT NULL,
    advisory_id TEXT NOT NULL,
    PRIMARY KEY (alias, advisory_id)
  ) WITHOUT ROWID;
  CREATE INDEX advisory_aliases_by_advisory ON advisory_aliases (advisory_id);
  CREATE TABLE affected (
    advisory_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    normalized_name TEXT NOT NULL,
    name TEXT NOT NULL,
    scheme TEXT NOT NULL,
    ranges TEXT NOT NULL,
    versions TEXT NOT NULL
  );
  CREATE INDEX affected_by_package ON affected (ecosystem, normalized_name);
  CREATE INDEX affected_by_advisory ON affected (advisory_id);
  CREATE TABLE kev (
    cve TEXT PRIMARY KEY,
    vendor_project TEXT NOT NULL,
    product TEXT NOT NULL,
    vulnerability_name TEXT NOT NULL,
    date_added TEXT NOT NULL,
    due_date TEXT,
    ransomware TEXT,
    cwes TEXT NOT NULL
  );
  -- keyed by conda name first: that is the lookup; replacing a source's map scans (import time only)
  CREATE TABLE name_map (
    conda_name TEXT NOT NULL,
    source TEXT NOT NULL,
    pypi_names TEXT NOT NULL,
    PRIMARY KEY (conda_name, source)
  ) WITHOUT ROWID;
  CREATE TABLE popularity (
    source TEXT NOT NULL,
    rank INTEGER NOT NULL,
    name TEXT NOT NULL,
    normalized_name TEXT NOT NULL,
    downloads INTEGER,
    PRIMARY KEY (source, rank)
  ) WITHOUT ROWID;
  CREATE TABLE malicious_names (
    normalized_name TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (normalized_name, id)
  ) WITHOUT ROWID;
  CREATE TABLE feeds (
    name TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    count INTEGER NOT NULL,
    checksum TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT
  );
  `,
  // where a redirected download really came from
  `
  ALTER TABLE feeds ADD COLUMN final_url TEXT;
  `,
  // the typosquat index, derived from the popularity lists and the name map at import time
  `
  CREATE TABLE squat_entries (
    ecosystem TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    rank INTEGER NOT NULL,
    two_edits INTEGER NOT NULL,
    PRIMARY KEY (ecosystem, key)
  ) WITHOUT ROWID;
  CREATE INDEX squat_entries_two_edits ON squat_entries (ecosystem, two_edits);
  CREATE TABLE squat_probes (
    ecosystem TEXT NOT NULL,
    probe TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (ecosystem, probe, key)
  ) WITHOUT ROWID;
  CREATE TABLE squat_members (
    list TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (list, key)
  ) WITHOUT ROWID;
  CREATE INDEX popularity_names ON popularity (source, normalized_name);
  CREATE TABLE squat_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    stamp TEXT NOT NULL,
    probe_filter BLOB NOT NULL
  );
  `,
  // the typosquat index read for a lock's names only (typosquat/popular.ts): a probe filter per
  // ecosystem, hashed so a probe's hash follows from its name's (typosquat/probe-hash.ts), and the
  // names allowed two edits as one JSON array per ecosystem, read whole by every audit. An index
  // written before is dropped: audits index in memory until the next import writes it again.
  `
  DELETE FROM squat_state;
  DELETE FROM squat_probes;
  DELETE FROM squat_entries;
  DELETE FROM squat_members;
  ALTER TABLE squat_state DROP COLUMN probe_filter;
  CREATE TABLE squat_probe_filters (
    ecosystem TEXT PRIMARY KEY,
    bits BLOB NOT NULL
  );
  DROP INDEX squat_entries_two_edits;
  CREATE TABLE squat_two_edits (
    ecosystem TEXT PRIMARY KEY,
    -- [[key, name, rank], …] by key length, then key
    entries TEXT NOT NULL
  );
  `,
  // where an incremental feed stands (NVD API: the CPE pairs fetched in full and the instant the data
  // is current through; CVE List V5: the release applied), as JSON the feed's fetcher reads back
  `
  ALTER TABLE feeds ADD COLUMN state TEXT;
  `,
];

/** The schema version this code writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.length;
