import { CvebuildError } from '../errors.ts';
import { formatBytes } from '../fs/read-input.ts';
import { selectFeeds } from '../intel/feeds.ts';
import type { FeedName } from '../intel/model.ts';
import type { NvdQueryProgress } from '../intel/nvd-api.ts';
import { resolveStorePath } from '../intel/paths.ts';
import { openStore } from '../intel/store.ts';
import {
  type FeedUpdate,
  type UpdateProgress,
  type UpdateReport,
  updateFailure,
  updateFeeds,
} from '../intel/update.ts';
import { DEFAULT_RETRIES } from '../net/defaults.ts';
import { renderTable } from '../report/text-table.ts';
import { type ProgressStream, progressWanted, statusLine } from '../terminal/progress.ts';
import { line } from '../text/plain.ts';

export interface DbUpdateOptions {
  db?: string;
  feed?: string[];
  only?: string;
  timeout?: string;
  retries?: string;
  keepGoing?: boolean;
  /** `--no-color` (commander's false); the environment already says so by the time the command runs. */
  color?: boolean;
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
  const shown = progressWanted(process.stderr, process.env)
    ? await updateProgress(process.stderr, process.env, Math.max(...feeds.map((feed) => feed.name.length)))
    : undefined;
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
      ...(shown ? { onProgress: shown.onProgress } : {}),
    });
  } finally {
    shown?.stop();
    store.close();
  }
  return { text: renderUpdate(report, store.path), failure: updateFailure(report) };
}

export function renderUpdate(report: UpdateReport, storePath: string): string {
  const table = renderTable(report.feeds, [
    { header: 'feed', value: (feed) => feed.feed },
    { header: 'status', value: statusOf },
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

/**
 * `db update` on a terminal: a spinner over the downloads in flight (bytes so far, of how many),
 * a line left per feed as it ends (`✓ kev  downloaded 1.2 MiB  0.4 s`), then the import, file by
 * file. Repaints for bytes are kept to a few a second: a download arrives in many small chunks.
 */
export async function updateProgress(stream: ProgressStream, env: NodeJS.ProcessEnv, nameWidth = 0) {
  const status = await statusLine(stream, env);
  const inFlight = new Map<FeedName, { bytes: number; total?: number }>();
  let ended = 0;
  let feeds = 0;
  let painted = 0;
  let repaint: NodeJS.Timeout | undefined;
  const downloading = () => {
    const each = [...inFlight].map(
      ([feed, { bytes, total }]) => `${feed} ${formatBytes(bytes)}${total ? ` of ${formatBytes(total)}` : ''}`,
    );
    status.update(line`downloading feeds, ${String(ended)} of ${String(feeds)} done: ${each.join(', ')}`);
    painted = Date.now();
  };
  const onProgress = (event: UpdateProgress): void => {
    switch (event.type) {
      case 'download-start':
        feeds = event.feeds;
        inFlight.set(event.feed, { bytes: 0 });
        downloading();
        break;
      case 'download-bytes': {
        inFlight.set(event.feed, { bytes: event.bytes, ...(event.total === undefined ? {} : { total: event.total }) });
        const wait = painted + REPAINT_MS - Date.now();
        if (wait <= 0) downloading();
        // the last count must show even when no byte follows it (a stalled download)
        else
          repaint ??= setTimeout(() => {
            repaint = undefined;
            if (inFlight.size > 0) downloading();
          }, wait).unref();
        break;
      }
      case 'download-end': {
        const { update } = event;
        inFlight.delete(update.feed);
        ended++;
        const [mark, tone] =
          update.status === 'failed'
            ? (['✗', update.required ? 'fail' : 'medium'] as const)
            : update.status === 'unchanged'
              ? (['=', 'muted'] as const)
              : (['✓', 'pass'] as const);
        status.done(
          status.paint(tone, mark),
          line`${update.feed.padEnd(nameWidth)}  ${statusOf(update)}  ${seconds(update.downloadMs)}`,
        );
        if (inFlight.size > 0) downloading();
        break;
      }
      case 'import-start':
        status.update(`importing ${event.files} file${event.files === 1 ? '' : 's'}`);
        break;
      case 'import-file':
        status.update(
          line`importing ${event.feed ?? event.path} (${String(event.index + 1)} of ${String(event.files)})`,
        );
        break;
      case 'import-end':
        status.done(
          status.paint('pass', '✓'),
          `imported ${event.files} file${event.files === 1 ? '' : 's'}  ${seconds(event.ms)}`,
        );
        break;
    }
  };
  return {
    onProgress,
    stop() {
      clearTimeout(repaint);
      status.clear();
    },
  };
}

const REPAINT_MS = 100;

function statusOf(feed: FeedUpdate): string {
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
