/**
 * `cvebuild db update`: download the default feeds and import them. Feed URLs can be redirected
 * (mirrors, air-gapped copies) with `--feed NAME=URL` or `CVEBUILD_FEED_<NAME>` (e.g. CVEBUILD_FEED_OSV_PYPI).
 */
import type { Command } from 'commander';
import { CvebuildError } from '../errors.ts';
import { formatBytes } from '../fs/read-input.ts';
import { DEFAULT_FEEDS, EXTRA_FEEDS, feedEnvironmentVariable, selectFeeds } from '../intel/feeds.ts';
import { resolveStorePath } from '../intel/paths.ts';
import { openStore } from '../intel/store.ts';
import { type FeedUpdate, type UpdateReport, updateFailure, updateFeeds } from '../intel/update.ts';
import { DEFAULT_RETRIES, DEFAULT_TIMEOUT_MS } from '../net/download.ts';
import { renderTable } from '../report/text-table.ts';
import { line } from '../text/plain.ts';

export interface DbUpdateOptions {
  db?: string;
  feed?: string[];
  only?: string;
  timeout?: string;
  retries?: string;
  keepGoing?: boolean;
}

export function registerDbUpdate(db: Command, output: (text: string) => void): void {
  const defaults = DEFAULT_FEEDS.map((feed) => feed.name).join(', ');
  db.command('update')
    .description(`download the threat-intel feeds (${defaults}) and import them`)
    .option('--db <file>', 'threat-intel store, created if missing (default: $CVEBUILD_DB or the user cache)')
    .option(
      '--feed <name=url>',
      'download feed NAME from URL instead (repeatable; also CVEBUILD_FEED_<NAME>)',
      (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
    )
    .option('--only <names>', 'only these feeds (comma-separated)')
    .option('--timeout <seconds>', `per-request timeout (default ${DEFAULT_TIMEOUT_MS / 1000})`)
    .option('--retries <n>', `retries after a network error, 5xx or 429 (default ${DEFAULT_RETRIES})`)
    .option('--keep-going', 'import the feeds that downloaded even when another failed (still exits 2)')
    .addHelpText('after', feedHelp)
    .action(async (options: DbUpdateOptions) => {
      const result = await dbUpdateCommand(options);
      output(result.text);
      if (result.failure) throw result.failure;
    });
}

export interface DbUpdateResult {
  /** The per-feed summary, printed even when the update failed. */
  text: string;
  /** Set when a required feed failed: the command exits 2 with this line after the summary. */
  failure?: CvebuildError;
}

export async function dbUpdateCommand(
  options: DbUpdateOptions,
  progress: (text: string) => void = (text) => process.stderr.write(text),
): Promise<DbUpdateResult> {
  const feeds = selectFeeds({ only: options.only === undefined ? undefined : [options.only], overrides: options.feed });
  const timeoutMs = options.timeout === undefined ? undefined : positive('--timeout', options.timeout) * 1000;
  const retries = options.retries === undefined ? undefined : count('--retries', options.retries);
  const store = openStore(resolveStorePath(options.db), { create: true });
  let report: UpdateReport;
  try {
    report = await updateFeeds(store, {
      feeds,
      timeoutMs,
      retries,
      keepGoing: options.keepGoing,
      onRetry: (feed, event) =>
        progress(
          line`cvebuild: ${feed}: ${event.reason}, retrying in ${seconds(event.delayMs)} ` +
            `(attempt ${event.attempt + 1} of ${(retries ?? DEFAULT_RETRIES) + 1})\n`,
        ),
    });
  } finally {
    store.close();
  }
  return { text: renderUpdate(report, store.path), failure: updateFailure(report) };
}

/** `db update --help` lists each feed with its URL and the variable that redirects it. */
function feedHelp(): string {
  const rows = [...DEFAULT_FEEDS, ...EXTRA_FEEDS].map((feed) => ({
    feed,
    note: DEFAULT_FEEDS.includes(feed) ? (feed.required ? '' : ' (optional)') : ' (only with --only or --feed)',
  }));
  const lines = rows.map(
    ({ feed, note }) => `  ${feed.name}${note}\n    ${feed.url}\n    ${feedEnvironmentVariable(feed.name)}`,
  );
  return `\nFeeds:\n${lines.join('\n')}\n`;
}

export function renderUpdate(report: UpdateReport, storePath: string): string {
  const table = renderTable(report.feeds, [
    { header: 'feed', value: (feed) => feed.feed },
    { header: 'status', value: status },
    { header: 'records', value: (feed) => (feed.records === undefined ? '' : feed.records.toLocaleString('en-US')) },
    { header: 'time', value: (feed) => seconds(feed.downloadMs) },
  ]);
  const errors = report.feeds.flatMap((feed) => (feed.error ? [line`${feed.feed}: ${feed.error}`] : []));
  // followed, but never silently: the data came from somewhere other than the URL asked for
  const redirects = report.feeds.flatMap((feed) =>
    feed.finalUrl ? [line`${feed.feed}: ${feed.url} redirected to ${feed.finalUrl}`] : [],
  );
  const outcome = report.failedClosed
    ? line`nothing imported: ${storePath} is unchanged`
    : report.imported
      ? line`imported into ${storePath} in ${seconds(report.importMs)} (total ${seconds(report.durationMs)})`
      : line`nothing to import: ${storePath} is current`;
  return `${[table, ...redirects, ...errors, outcome].join('\n')}\n`;
}

function status(feed: FeedUpdate): string {
  if (feed.status === 'unchanged') return feed.url.startsWith('file:') ? 'unchanged' : 'unchanged (304)';
  if (feed.status === 'failed') return feed.required ? 'failed' : 'failed (optional)';
  const retried = feed.attempts && feed.attempts > 1 ? ` after ${feed.attempts} attempts` : '';
  return `downloaded ${formatBytes(feed.bytes ?? 0)}${retried}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function positive(option: string, text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value))
    throw new CvebuildError('USAGE', `${option}: not a positive number: ${text}`);
  return value;
}

function count(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new CvebuildError('USAGE', `${option}: not a whole number: ${text}`);
  return Number(text);
}
