import { CvebuildError } from '../errors.ts';
import { formatBytes } from '../fs/read-input.ts';
import { selectFeeds } from '../intel/feeds.ts';
import type { NvdQueryProgress } from '../intel/nvd-api.ts';
import { resolveStorePath } from '../intel/paths.ts';
import { openStore } from '../intel/store.ts';
import { type FeedUpdate, type UpdateReport, updateFailure, updateFeeds } from '../intel/update.ts';
import { DEFAULT_RETRIES } from '../net/defaults.ts';
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
      onNvdQuery: (query) => progress(nvdProgressLine(query)),
    });
  } finally {
    store.close();
  }
  return { text: renderUpdate(report, store.path), failure: updateFailure(report) };
}

export function renderUpdate(report: UpdateReport, storePath: string): string {
  const table = renderTable(report.feeds, [
    { header: 'feed', value: (feed) => feed.feed },
    { header: 'status', value: status },
    { header: 'records', value: (feed) => (feed.records === undefined ? '' : feed.records.toLocaleString('en-US')) },
    { header: 'time', value: (feed) => seconds(feed.downloadMs) },
  ]);
  const errors = report.feeds.flatMap((feed) => (feed.error ? [line`${feed.feed}: ${feed.error}`] : []));
  // incremental feeds say what they asked for (NVD: products in full or changes since; cvelistV5: which zips)
  const details = report.feeds.flatMap((feed) =>
    feed.detail && feed.status !== 'failed'
      ? [line`${feed.feed}: ${feed.detail}${feed.requests === undefined ? '' : ` (${feed.requests} requests)`}`]
      : [],
  );
  // followed, but never silently: the data came from somewhere other than the URL asked for
  const redirects = report.feeds.flatMap((feed) =>
    feed.finalUrl ? [line`${feed.feed}: ${feed.url} redirected to ${feed.finalUrl}`] : [],
  );
  const outcome = report.failedClosed
    ? line`nothing imported: ${storePath} is unchanged`
    : report.imported
      ? line`imported into ${storePath} in ${seconds(report.importMs)} (total ${seconds(report.durationMs)})`
      : line`nothing to import: ${storePath} is current`;
  return `${[table, ...details, ...redirects, ...errors, outcome].join('\n')}\n`;
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

/** One line per NVD query: a first run without an API key asks ~80 of them, 6 s apart (NVD's limit). */
export function nvdProgressLine({ index, total, what, keptSoFar }: NvdQueryProgress): string {
  const asked = 'pair' in what ? `cpe:2.3:a:${what.pair}` : `changes ${what.start} to ${what.end}`;
  return line`cvebuild: nvd: ${String(index)} of ${String(total)}: ${asked} (${keptSoFar.toLocaleString('en-US')} records kept so far)\n`;
}
