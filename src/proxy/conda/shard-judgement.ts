/**
 * A CEP 16 shard's records for the judge, and the decisions that apply to one shard when they come
 * from several sources (the monolithic prediction and the shard's own records): a build blocked by
 * any of them is withheld.
 */

import { shardRecords } from '../../conda/shards.ts';
import type { Dict } from '../../readers/fields.ts';
import type { BlockReason } from '../types.ts';
import type { DecisionCollector, Decisions } from './decisions.ts';
import { buildStem, condaPackage } from './package.ts';

export interface ShardPlace {
  subdir: string;
  /** Upstream channel URL. */
  channel: string;
  /** Upstream URL the subdir's files are fetched from, with a trailing slash. */
  filesBase: string;
  /** The shard's upstream URL (for messages). */
  source: string;
}

/** Adds the shard of `name`'s records; a record filed under another package's name would dodge that name's quarantine: invalid. */
export async function addShardRecords(
  collector: DecisionCollector,
  name: string,
  shard: Dict,
  place: ShardPlace,
): Promise<void> {
  for (const [, filename, record] of shardRecords(shard)) {
    const outcome = condaPackage(record, {
      filename,
      subdir: place.subdir,
      channel: place.channel,
      url: place.filesBase + filename,
      source: place.source,
    });
    await collector.add(
      filename,
      outcome.ok && outcome.pkg.normalizedName !== name.toLowerCase()
        ? { ok: false, reason: `filed in the shard of ${name}` }
        : outcome,
    );
  }
}

/** The decisions about this shard's builds, merged from every source (fail closed: blocked by any). */
export function shardDecisions(shard: Dict, version: string, sources: readonly Decisions[]): Decisions {
  const blocked = new Map<string, BlockReason[]>();
  for (const [, filename] of shardRecords(shard)) {
    const stem = buildStem(filename);
    if (blocked.has(stem)) continue;
    const reasons = sources.flatMap((source) => source.blocked.get(stem) ?? []);
    if (sources.some((source) => source.blocked.has(stem))) blocked.set(stem, reasons);
  }
  return { version, blocked };
}
