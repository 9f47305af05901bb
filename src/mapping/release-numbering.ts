/**
 * Some upstreams number releases one way and the library conda ships another: protobuf's release
 * v28.2 is C++ runtime 5.28.2, which is what conda-forge's libprotobuf is versioned as. A product's
 * `releaseToConda` table (reviewed in the product map) restates a bound written in release numbering
 * in conda's, so `< 28.2` compares against libprotobuf 5.28.1 correctly. A release newer than the
 * table knows is not guessed: it is marked so no comparator reads it, and the range stays undecided.
 */
import type { AffectedPackage, RangeEvent } from '../intel/model.ts';
import type { NativeProduct, ReleaseSeries } from './native-file.ts';

/** Prefix that makes a bound no comparator reads: a release the table does not place. */
export const UNPLACED_RELEASE = 'release ';

/** `28.2` → `5.28.2` for releases 26–29 (major 5); runtime numbers (`3.21.12`, `4.25.0`) and `0` unchanged. */
export function inCondaNumbering(series: readonly ReleaseSeries[], version: string): string {
  if (series.length === 0) return version;
  const first = /^(\d+)(?:[.]|$)/.exec(version);
  if (!first) return version;
  const release = Number(first[1]);
  const placed = series.find(({ from, to }) => release >= from && release <= to);
  if (placed) return `${placed.major}.${version}`;
  const oldest = Math.min(...series.map(({ from }) => from));
  return release >= oldest ? `${UNPLACED_RELEASE}${version}` : version;
}

/** The affected entry with every bound and listed version restated in conda's numbering. */
export function affectedInCondaNumbering(product: NativeProduct, entry: AffectedPackage): AffectedPackage {
  const series = product.releaseToConda;
  if (series.length === 0) return entry;
  const restate = (version: string) => inCondaNumbering(series, version);
  return {
    ...entry,
    ranges: entry.ranges.map((range) => ({ ...range, events: range.events.map((event) => restated(event, restate)) })),
    versions: entry.versions.map(restate),
  };
}

function restated(event: RangeEvent, restate: (version: string) => string): RangeEvent {
  if ('introduced' in event) return { introduced: restate(event.introduced) };
  if ('fixed' in event) return { fixed: restate(event.fixed) };
  if ('last_affected' in event) return { last_affected: restate(event.last_affected) };
  return event;
}
