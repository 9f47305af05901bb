/**
 * What a channel-relative path asks for. The server has decoded and checked the path already;
 * it is still treated as hostile: a subdir must look like one, a package like a conda archive
 * name, a shard like a sha256, and anything else is answered 404.
 */
import { parseCondaArchiveName } from '../../conda/url.ts';

export type Route =
  | { kind: 'channeldata' }
  | { kind: 'repodata'; subdir: string; variant: 'json' | 'zst' | 'current' | 'run-exports' }
  | { kind: 'shard-index'; subdir: string }
  | { kind: 'shard'; subdir: string; hash: string }
  | { kind: 'package'; subdir: string; filename: string }
  /** `.sigs`, `.v0.sigs`, `.sigs.<sha256>` next to a package. */
  | { kind: 'sidecar'; subdir: string; filename: string; sidecar: string }
  /** A path nothing here serves (including the variants answered 404 on purpose: bz2, jlap, from_packages). */
  | { kind: 'none'; why: string };

const SUBDIR = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const SHARD = /^shards\/([0-9a-f]{64})\.msgpack\.zst$/;
/** Characters conda names, versions (epoch `!`, local `+`) and builds use. */
const ARCHIVE = /^[A-Za-z0-9_.+!-]{1,255}$/;
const SIDECAR = /^(.+?\.(?:conda|tar\.bz2))(\.sigs|\.v0\.sigs|\.sigs\.[0-9a-f]{64})$/;

const METADATA: Record<string, 'json' | 'zst' | 'current' | 'run-exports'> = {
  'repodata.json': 'json',
  'repodata.json.zst': 'zst',
  'current_repodata.json': 'current',
  'run_exports.json': 'run-exports',
};

export function routeOf(path: string, subdirs?: readonly string[]): Route {
  const trimmed = path.replace(/^\/+/, '');
  if (trimmed.split('/').some((segment) => segment === '.' || segment === '..'))
    return { kind: 'none', why: 'not a channel document' };
  if (trimmed === 'channeldata.json') return { kind: 'channeldata' };
  const slash = trimmed.indexOf('/');
  if (slash <= 0) return { kind: 'none', why: 'not a channel document' };
  const subdir = trimmed.slice(0, slash);
  const rest = trimmed.slice(slash + 1);
  if (!SUBDIR.test(subdir) || (subdirs && subdir !== 'noarch' && !subdirs.includes(subdir)))
    return { kind: 'none', why: `no subdir ${subdir} here` };
  const variant = Object.hasOwn(METADATA, rest) ? METADATA[rest] : undefined;
  if (variant) return { kind: 'repodata', subdir, variant };
  if (rest === 'repodata_shards.msgpack.zst') return { kind: 'shard-index', subdir };
  const shard = SHARD.exec(rest);
  if (shard?.[1]) return { kind: 'shard', subdir, hash: shard[1] };
  if (rest.includes('/')) return { kind: 'none', why: 'not a channel document' };
  if (rest.startsWith('repodata') || rest.startsWith('current_repodata') || rest.endsWith('.jlap'))
    return { kind: 'none', why: `${rest} is not offered through this proxy (only filtered forms are)` };
  const sidecar = SIDECAR.exec(rest);
  if (sidecar?.[1] && sidecar[2] && isArchive(sidecar[1]))
    return { kind: 'sidecar', subdir, filename: sidecar[1], sidecar: sidecar[2] };
  if (isArchive(rest)) return { kind: 'package', subdir, filename: rest };
  return { kind: 'none', why: 'not a channel document' };
}

function isArchive(filename: string): boolean {
  return ARCHIVE.test(filename) && parseCondaArchiveName(filename) !== undefined;
}
