/**
 * What the build consumed, as its provenance names it: the recipe directory's files and the
 * resolved packages, each with its digest. Nothing that names a credential leaves here: channel and
 * download URLs lose user info and `/t/<token>` segments, and the build command its secrets.
 */
import { isAbsolute, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResourceDescriptor } from '../attest/provenance.ts';
import { fileNameOf } from '../conda/url.ts';
import type { Package } from '../model/package.ts';
import { packageUrl } from '../report/purl.ts';
import { maskSecretsIn } from '../secrets/scan.ts';
import { maskCredentials, withoutCredentials } from '../text/credentials.ts';
import { recipeFiles } from './run-dir.ts';
import type { BuildContext } from './types.ts';

/** The packages the build resolved, where the list came from, and the channels it names. */
export interface ResolvedPackages {
  /** The file the packages were read from (a pixi.lock), or undefined when nothing was resolved. */
  from?: string;
  packages: readonly Package[];
  /** Channels and indexes, without credentials. */
  channels: string[];
}

/**
 * The one place the provenance reads resolved packages from the build context: the pixi.lock beside
 * the recipe, used as it is. (Solving against channels will put its solved inventories here.)
 */
export function resolvedPackages(context: Pick<BuildContext, 'lock'>): ResolvedPackages {
  if (!context.lock) return { packages: [], channels: [] };
  const { file, inventory } = context.lock;
  const declared = [...inventory.manifest.channels, ...inventory.manifest.indexes];
  return { from: file, packages: inventory.packages, channels: channelsOf(inventory.packages, declared) };
}

/** The channels the packages came from, and those declared, without credentials or trailing slashes. */
export function channelsOf(packages: readonly Package[], declared: readonly string[] = []): string[] {
  const channels = new Set<string>();
  const add = (channel: string) => channels.add(withoutCredentials(channel).replace(/\/+$/, ''));
  for (const channel of declared) add(channel);
  for (const pkg of packages) {
    const channel = pkg.ecosystem === 'conda' ? pkg.channel : pkg.index;
    if (channel) add(channel);
  }
  return [...channels].sort();
}

/**
 * The recipe's sources: a URL with the digests the recipe pins, a git repository at its revision
 * (a commit id is a digest), a path as a file URL. Paths inside the recipe directory are among its
 * files already.
 */
export function sourceDescriptors(context: Pick<BuildContext, 'recipeDir' | 'requirements'>): ResourceDescriptor[] {
  const descriptors: ResourceDescriptor[] = [];
  for (const source of context.requirements.manifest.recipeSources) {
    const digest: Record<string, string> = {};
    if (source.sha256) digest.sha256 = source.sha256.toLowerCase();
    if (source.md5) digest.md5 = source.md5.toLowerCase();
    if (source.kind === 'git' && source.rev && /^[0-9a-f]{40}$/i.test(source.rev)) digest.gitCommit = source.rev;
    const location = withoutCredentials(source.location);
    const uri =
      source.kind === 'path'
        ? pathToFileURL(resolve(context.recipeDir, source.location)).href
        : source.kind === 'git'
          ? `git+${location}${source.rev ? `@${source.rev}` : ''}`
          : location;
    if (source.kind === 'path' && isInside(context.recipeDir, resolve(context.recipeDir, source.location))) continue;
    descriptors.push({
      uri,
      ...(Object.keys(digest).length > 0 ? { digest } : {}),
      annotations: { source: source.kind },
    });
  }
  return descriptors;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Every file of the recipe directory, named by its path there, with its sha256 (a symlink: its target). */
export function recipeDescriptors(context: Pick<BuildContext, 'recipeDir' | 'recipeExclude'>): ResourceDescriptor[] {
  return recipeFiles(context.recipeDir, context.recipeExclude).map((file) => ({
    name: file.name,
    uri: pathToFileURL(file.path).href,
    ...(file.sha256 ? { digest: { sha256: file.sha256 } } : { annotations: { symlinkTo: file.linkTarget } }),
  }));
}

/**
 * A resolved package as a ResourceDescriptor: its archive's name, download URL and digests (sha256,
 * and md5 where the lock has it). One without a URL is named by its package URL (itself a URI);
 * undefined when there is neither a URI nor a digest to state (in-toto requires one of them).
 */
export function packageDescriptor(pkg: Package): ResourceDescriptor | undefined {
  const uri = pkg.url ? withoutCredentials(pkg.url) : packageUrl(pkg);
  const digest: Record<string, string> = {};
  if (pkg.sha256) digest.sha256 = pkg.sha256.toLowerCase();
  if (pkg.md5) digest.md5 = pkg.md5.toLowerCase();
  if (!uri && Object.keys(digest).length === 0) return undefined;
  const name = pkg.url ? fileNameOf(pkg.url) : `${pkg.name}-${pkg.version}${pkg.build ? `-${pkg.build}` : ''}`;
  return {
    name,
    ...(uri ? { uri } : {}),
    ...(Object.keys(digest).length > 0 ? { digest } : {}),
    annotations: { ecosystem: pkg.ecosystem },
  };
}

/**
 * One descriptor per distinct archive: a lock lists an archive once per environment and platform,
 * and the descriptor names every platform it is locked for.
 */
export function packageDescriptors(packages: readonly Package[]): ResourceDescriptor[] {
  const seen = new Map<string, { descriptor: ResourceDescriptor; platforms: Set<string> }>();
  for (const pkg of packages) {
    const descriptor = packageDescriptor(pkg);
    if (!descriptor) continue;
    const key = `${descriptor.uri ?? ''}\0${descriptor.digest?.sha256 ?? ''}`;
    const entry = seen.get(key);
    if (entry) entry.platforms.add(pkg.platform);
    else seen.set(key, { descriptor, platforms: new Set([pkg.platform]) });
  }
  return [...seen.values()]
    .map(({ descriptor, platforms }) => ({
      ...descriptor,
      annotations: { ...descriptor.annotations, platforms: [...platforms].sort() },
    }))
    .sort((a, b) => ((a.uri ?? '') < (b.uri ?? '') ? -1 : (a.uri ?? '') > (b.uri ?? '') ? 1 : 0));
}

/** The build command as a provenance may publish it: secrets and URL credentials masked. */
export async function publicCommand(command: string): Promise<{ command: string; masked: number }> {
  const { text, secrets } = await maskSecretsIn('build-command.sh', command);
  const masked = maskCredentials(text);
  return { command: masked, masked: secrets + (masked === text ? 0 : 1) };
}
