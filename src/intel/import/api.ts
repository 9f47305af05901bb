/**
 * The import entry point shared by `cvebuild db import` (local files) and `cvebuild db update`
 * (downloaded files): each source is recognised, normalised and written in one transaction.
 */
import type { FeedName } from '../model.ts';

export interface ImportSource {
  /** A file (.json, .jsonl, .zip, vuln.pm …) or a directory of OSV JSON files. */
  path: string;
  /** The feed it belongs to; recognised from the content when absent. */
  feed?: FeedName;
  /** Where it was downloaded from (recorded in the feed metadata); defaults to the path. */
  url?: string;
  /** Where the download really came from, when it was redirected. */
  finalUrl?: string;
  /** HTTP validators to remember for the next conditional request. */
  etag?: string;
  lastModified?: string;
}

export interface FeedImportResult {
  feed: FeedName;
  path: string;
  /** Records read from the source. */
  records: number;
  /** Records written (new, or newer than the stored copy). */
  written: number;
  /** Records skipped as not relevant (other ecosystems, GIT-only ranges …) or older than the stored copy. */
  skipped: number;
}

export interface ImportReport {
  results: FeedImportResult[];
  durationMs: number;
}
