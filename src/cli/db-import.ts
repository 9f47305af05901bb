/** `cvebuild db import PATH...` (offline feed files into the store) and `cvebuild db status`. */
import { existsSync, statSync } from 'node:fs';
import { formatBytes } from '../fs/read-input.ts';
import { assertHealthyStore } from '../intel/health.ts';
import { type ImportOutcome, importSources } from '../intel/import/index.ts';
import type { FeedMetadata, FeedName } from '../intel/model.ts';
import { resolveStorePath } from '../intel/paths.ts';
import { openStore } from '../intel/store.ts';
import type { StoreCounts } from '../intel/store-api.ts';
import { renderTable } from '../report/text-table.ts';
import { toJson } from '../text/json.ts';
import { line } from '../text/plain.ts';

export interface DbImportOptions {
  db?: string;
  feed?: FeedName;
}

export interface DbStatusOptions {
  db?: string;
  format: 'table' | 'json';
}

export async function dbImportCommand(paths: readonly string[], options: DbImportOptions): Promise<string> {
  const store = openStore(resolveStorePath(options.db), { create: true });
  try {
    const outcome = await importSources(
      store,
      paths.map((path) => ({ path, ...(options.feed ? { feed: options.feed } : {}) })),
    );
    return renderImport(outcome, store.path);
  } finally {
    store.close();
  }
}

function renderImport(outcome: ImportOutcome, storePath: string): string {
  const table = renderTable(outcome.results, [
    { header: 'feed', value: (result) => result.feed },
    { header: 'records', value: (result) => count(result.records) },
    { header: 'written', value: (result) => count(result.written) },
    { header: 'skipped', value: (result) => count(result.skipped) },
    { header: 'source', value: (result) => result.path },
  ]);
  const notes = outcome.results.flatMap((result) => result.notes.map((note) => line`  ${result.path}: ${note}`));
  const records = outcome.results.reduce((sum, result) => sum + result.records, 0);
  const sources = new Set(outcome.results.map((result) => result.path)).size;
  const summary = line`imported ${count(records)} records from ${sources} ${sources === 1 ? 'source' : 'sources'} into ${storePath} in ${(outcome.durationMs / 1000).toFixed(1)} s`;
  return `${[table, ...(notes.length > 0 ? ['notes:', ...notes] : []), summary].join('\n')}\n`;
}

export interface StoreStatus {
  path: string;
  schemaVersion: number;
  /** Always `ok`: a store that fails the health check is an error (DB_CORRUPT), as it is for the gate. */
  health: 'ok';
  sizeBytes: number;
  feeds: (FeedMetadata & { ageHours: number })[];
  totals: StoreCounts;
}

export function dbStatusCommand(options: DbStatusOptions, now: Date = new Date()): string {
  const store = openStore(resolveStorePath(options.db), { readOnly: true });
  let status: StoreStatus;
  try {
    // the gate's own test of the store: what status shows as healthy, the gate will use
    assertHealthyStore(store);
    status = {
      path: store.path,
      schemaVersion: store.schemaVersion,
      health: 'ok',
      sizeBytes: storeSize(store.path),
      feeds: store.feeds().map((feed) => ({ ...feed, ageHours: ageHours(feed.fetchedAt, now) })),
      totals: store.counts(),
    };
  } finally {
    store.close();
  }
  return options.format === 'json' ? `${toJson(status)}\n` : renderStatus(status);
}

/** The database file and its write-ahead log, which holds recent imports until a checkpoint. */
function storeSize(path: string): number {
  return [path, `${path}-wal`].reduce((sum, file) => sum + (existsSync(file) ? statSync(file).size : 0), 0);
}

function ageHours(fetchedAt: string, now: Date): number {
  const fetched = Date.parse(fetchedAt);
  return Number.isNaN(fetched) ? Number.NaN : Math.round(((now.getTime() - fetched) / 3_600_000) * 10) / 10;
}

function renderStatus(status: StoreStatus): string {
  const header = [
    line`store:   ${status.path} (${formatBytes(status.sizeBytes)})`,
    `schema:  version ${status.schemaVersion}`,
    `health:  ${status.health} (SQLite integrity check, feed records)`,
  ];
  const feeds =
    status.feeds.length === 0
      ? 'no feeds imported yet: run `cvebuild db update` (online) or `cvebuild db import FILES` (offline)'
      : renderTable(status.feeds, [
          { header: 'feed', value: (feed) => feed.name },
          { header: 'fetched', value: (feed) => feed.fetchedAt },
          { header: 'age (h)', value: (feed) => (Number.isNaN(feed.ageHours) ? '?' : feed.ageHours.toFixed(1)) },
          { header: 'records', value: (feed) => count(feed.count) },
          { header: 'sha256', value: (feed) => feed.checksum.slice(0, 12) },
          ...(status.feeds.some((feed) => feed.state)
            ? [
                {
                  header: 'position',
                  value: (feed: StoreStatus['feeds'][number]) => position(feed.state),
                  maxWidth: 60,
                },
              ]
            : []),
          { header: 'source', value: (feed) => feed.url, maxWidth: 80 },
          ...(status.feeds.some((feed) => feed.finalUrl)
            ? [
                {
                  header: 'redirected to',
                  value: (feed: StoreStatus['feeds'][number]) => feed.finalUrl ?? '',
                  maxWidth: 80,
                },
              ]
            : []),
        ]);
  const { totals } = status;
  const summary =
    `totals:  ${count(totals.advisories)} advisories (${count(totals.malicious)} malicious, ${count(totals.withdrawn)} withdrawn), ` +
    `${count(totals.kev)} KEV, ${count(totals.nameMap)} name-map entries, ${count(totals.popularity)} popularity entries, ` +
    `${count(totals.maliciousNames)} malicious names`;
  return `${[...header, '', feeds, '', summary].join('\n')}\n`;
}

/** Where an incremental feed stands: NVD's "changes known through", cvelistV5's zip applied. */
function position(state: string | undefined): string {
  if (!state) return '';
  try {
    const value = JSON.parse(state) as { through?: unknown; baseline?: unknown; delta?: unknown };
    if (typeof value.through === 'string') return `through ${value.through}`;
    if (typeof value.delta === 'string') return String(value.delta);
    if (typeof value.baseline === 'string') return String(value.baseline);
  } catch {
    // a state this version cannot read is shown as such, not hidden
  }
  return '?';
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}
