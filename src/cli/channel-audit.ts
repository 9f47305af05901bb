/**
 * `cvebuild channel audit URL`: the channel-wide CVE map. Flags into `auditChannel` options (the
 * threat data opened as the gate opens it: `--db`, healthy, fresh), the map to standard output and
 * to any `--output` files. Exit 0 whatever the map says, unless `--fail` is given (then 1 when some
 * record is affected, or some name could not be checked for want of threat data); 2 when it could
 * not run (a channel or file that cannot be read, missing or stale threat data).
 */
import { join } from 'node:path';
import { parseCutoff } from '../cooldown/cutoff.ts';
import { CvebuildError } from '../errors.ts';
import { checkOutputFile, writeOutputFile } from '../fs/output-file.ts';
import { openIntelStore } from '../intel/open.ts';
import { defaultCacheDirectory } from '../intel/paths.ts';
import { policyWithFlags } from '../policy/flags.ts';
import { loadPolicy } from '../policy/load.ts';
import { defaultPolicy } from '../policy/policy.ts';
import { auditChannel, type ChannelAuditProgress } from '../proxy/channel-audit/audit-channel.ts';
import { CHANNEL_AUDIT_FORMATS, renderChannelAudit } from '../proxy/channel-audit/render.ts';
import { checkSubdirName } from '../proxy/channel-audit/source.ts';
import { plain } from '../text/plain.ts';
import { parseNow } from './audit.ts';
import { parseOutputs } from './outputs.ts';

export interface ChannelAuditCommandOptions {
  subdir?: string[];
  since?: string;
  newest?: string;
  db?: string;
  maxDbAge?: string;
  policy?: string;
  state?: string;
  format?: string;
  output?: string[];
  fail?: boolean;
  batchSize?: string;
  quiet?: boolean;
  now?: string;
}

export const STATE_FILE_NAME = 'channel-audit.sqlite';

export async function channelAuditCommand(
  channel: string,
  options: ChannelAuditCommandOptions,
): Promise<{ text: string; exitCode: 0 | 1 }> {
  const outputs = parseOutputs(options, CHANNEL_AUDIT_FORMATS, 'table');
  for (const { file } of outputs.files) checkOutputFile(file);
  const now = options.now ? parseNow(options.now) : new Date();
  const since = options.since === undefined ? undefined : parseSince(options.since, now);
  const newest = options.newest === undefined ? undefined : positiveInteger(options.newest, '--newest');
  const batchSize = options.batchSize === undefined ? undefined : positiveInteger(options.batchSize, '--batch-size');
  const subdirs = options.subdir?.map((subdir) => checkSubdirName(subdir, '--subdir'));
  const policy = policyWithFlags(options.policy ? loadPolicy('.', options.policy) : defaultPolicy(), {
    maxDbAge: options.maxDbAge ?? process.env.CVEBUILD_MAX_DB_AGE,
  });
  const intel = await openIntelStore({ db: options.db });
  try {
    const result = await auditChannel({
      channel,
      ...(subdirs ? { subdirs } : {}),
      ...(since === undefined ? {} : { since }),
      ...(newest === undefined ? {} : { newest }),
      ...(batchSize === undefined ? {} : { batchSize }),
      intel,
      policy,
      clock: () => now,
      statePath: options.state ?? join(defaultCacheDirectory(), STATE_FILE_NAME),
      ...(options.quiet ? {} : { onProgress: tellProgress }),
    });
    for (const { format, file } of outputs.files) writeOutputFile(file, renderChannelAudit(result, format));
    const { totals, coverage } = result;
    if (!options.quiet)
      process.stderr.write(
        `cvebuild: ${totals.inScope} records in scope, ${totals.audited} new (audited), ${totals.reused} unchanged since the last run; ${totals.affectedRecords} affected\n`,
      );
    const affected = totals.affectedRecords > 0 || coverage.notChecked.length > 0;
    return { text: renderChannelAudit(result, outputs.stdout), exitCode: options.fail && affected ? 1 : 0 };
  } finally {
    intel.store.close();
  }
}

function tellProgress(event: ChannelAuditProgress): void {
  if (event.type === 'subdir') process.stderr.write(`cvebuild: reading ${plain(event.source)}\n`);
  else process.stderr.write(`cvebuild: ${event.subdir}: ${event.read} records read, ${event.audited} audited\n`);
}

function parseSince(text: string, now: Date): number {
  const cutoff = parseCutoff(text, now);
  if (!cutoff)
    throw new CvebuildError(
      'USAGE',
      `--since: not a time or duration: ${JSON.stringify(text)} (use e.g. 7d, 2026-11-01 or 2026-11-01T00:00:00Z)`,
    );
  // a date means from the start of that day (parseCutoff reads it as pixi's exclude-newer: through its end)
  return cutoff.form === 'date' ? cutoff.at - 86_400_000 : cutoff.at;
}

function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1)
    throw new CvebuildError('USAGE', `${flag}: not a positive whole number: ${JSON.stringify(text)}`);
  return value;
}
