/**
 * What each blocked package could move to: the versions its channel offers on every platform it
 * is installed on (the platform's subdir or noarch), or the releases its PyPI index offers. Each
 * channel subdir and index page is read once, whatever the number of packages asking.
 */
import { matchChannel } from '../conda/channels.ts';
import { isUrl } from '../conda/url.ts';
import type { FetchContext } from './cached-fetch.ts';
import { type ProjectReleases, projectReleases } from './pypi-releases.ts';
import { type SubdirVersions, subdirVersions } from './repodata.ts';
import type { BlockingPackage, Offered, SourceRead } from './types.ts';

export const DEFAULT_INDEX = 'https://pypi.org/simple';
const DEFAULT_CHANNEL_ALIAS = 'https://conda.anaconda.org';

/** `--channel [NAME=]URL|DIR`: read this channel instead of the lock's (all channels, or the one NAME matches). */
export interface ChannelOverride {
  name?: string;
  location: string;
}

export interface SourceOptions {
  channels: readonly ChannelOverride[];
  /** `--index URL`: read PyPI releases from this index instead of the lock's. */
  index?: string;
}

export async function offeredVersions(
  packages: readonly BlockingPackage[],
  options: SourceOptions,
  context: FetchContext,
): Promise<Map<BlockingPackage, Offered>> {
  const subdirs = new Map<string, Promise<SubdirVersions>>();
  const pages = new Map<string, Promise<ProjectReleases>>();
  const wanted = new Map<string, Set<string>>();
  // every name a subdir will be asked for, known before the first read
  for (const group of packages.filter((candidate) => candidate.ecosystem === 'conda')) {
    for (const { channel, platform } of placements(group, options)) {
      for (const subdir of new Set([platform, 'noarch'])) {
        const key = `${channel}\u0000${subdir}`;
        const names = wanted.get(key) ?? new Set<string>();
        names.add(group.normalizedName);
        wanted.set(key, names);
      }
    }
  }
  const subdir = (channel: string, name: string): Promise<SubdirVersions> => {
    const key = `${channel}\u0000${name}`;
    let read = subdirs.get(key);
    if (!read) {
      read = subdirVersions(channel, name, wanted.get(key) ?? new Set(), context);
      subdirs.set(key, read);
    }
    return read;
  };
  const page = (index: string, project: string): Promise<ProjectReleases> => {
    const key = `${index}\u0000${project}`;
    let read = pages.get(key);
    if (!read) {
      read = projectReleases(index, project, context);
      pages.set(key, read);
    }
    return read;
  };
  const offered = new Map<BlockingPackage, Offered>();
  // one source at a time: subdirs and pages are shared, and a channel's repodata is large
  for (const group of packages) {
    offered.set(
      group,
      group.ecosystem === 'conda'
        ? await condaOffered(group, options, subdir)
        : await pypiOffered(group, options, page),
    );
  }
  return offered;
}

async function condaOffered(
  group: BlockingPackage,
  options: SourceOptions,
  subdir: (channel: string, name: string) => Promise<SubdirVersions>,
): Promise<Offered> {
  const reads: SourceRead[] = [];
  let common: Set<string> | undefined;
  const places = placements(group, options);
  if (places.length === 0) return { known: false, reason: 'the lock does not say which channel it came from' };
  for (const { channel, platform } of places) {
    const here = new Set<string>();
    let present = false;
    for (const name of new Set([platform, 'noarch'])) {
      const read = await subdir(channel, name);
      if (read.status === 'unavailable') return { known: false, reason: read.reason };
      if (read.status === 'absent') continue;
      present = true;
      if (!reads.some((known) => known.source === read.read.source)) reads.push(read.read);
      for (const version of read.versions.get(group.normalizedName) ?? []) here.add(version);
    }
    if (!present) return { known: false, reason: `${channel} has no repodata for ${platform} or noarch` };
    common = common ? new Set([...common].filter((version) => here.has(version))) : here;
  }
  return { known: true, versions: [...(common ?? [])], reads };
}

async function pypiOffered(
  group: BlockingPackage,
  options: SourceOptions,
  page: (index: string, project: string) => Promise<ProjectReleases>,
): Promise<Offered> {
  const indexes = new Set(group.packages.map((pkg) => options.index ?? pkg.index ?? DEFAULT_INDEX));
  if (indexes.size === 0) indexes.add(options.index ?? DEFAULT_INDEX);
  const reads: SourceRead[] = [];
  const versions = new Set<string>();
  for (const index of indexes) {
    const read = await page(index, group.normalizedName);
    if (read.status === 'unavailable') return { known: false, reason: read.reason };
    if (read.status === 'absent')
      return { known: false, reason: `${index} has no project page for ${group.normalizedName}` };
    reads.push(read.read);
    for (const version of read.versions) versions.add(version);
  }
  return { known: true, versions: [...versions], reads };
}

/** Each platform the package is on, with the channel to read for it. */
function placements(group: BlockingPackage, options: SourceOptions): { channel: string; platform: string }[] {
  const seen = new Map<string, { channel: string; platform: string }>();
  for (const pkg of group.packages) {
    const channel = channelFor(pkg.channel, options.channels);
    if (!channel) continue;
    seen.set(`${channel}\u0000${pkg.platform}`, { channel, platform: pkg.platform });
  }
  return [...seen.values()];
}

function channelFor(locked: string | undefined, overrides: readonly ChannelOverride[]): string | undefined {
  const override =
    overrides.find((candidate) => candidate.name !== undefined && locked && matchChannel(locked, candidate.name)) ??
    overrides.find((candidate) => candidate.name === undefined);
  if (override) return override.location;
  if (!locked) return undefined;
  return isUrl(locked) ? locked : `${DEFAULT_CHANNEL_ALIAS}/${locked}`;
}
