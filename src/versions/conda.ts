// Conda versions and version specs (CEP-33 ordering), delegated to rattler, the reference implementation.
import { createRequire } from 'node:module';
import type { Version, VersionSpec } from '@conda-org/rattler';
import { BoundedCache, invalidSpec, invalidVersion, sign, type VersionScheme } from './scheme.ts';

const MAX_CACHED = 50_000;

type Rattler = typeof import('@conda-org/rattler');
let rattler: Rattler | undefined;

/**
 * rattler's WASM module takes 60–80 ms to instantiate, more than reading a lock. It is loaded the
 * first time a conda version is read, through its CommonJS build (which instantiates
 * synchronously), so runs that compare no conda version never pay for it.
 */
function loadRattler(): Rattler {
  rattler ??= createRequire(import.meta.url)('@conda-org/rattler') as Rattler;
  return rattler;
}

// rattler objects live in WASM memory: every parsed object is owned by a cache, and freed when evicted.
const versions = new BoundedCache<Version>(MAX_CACHED, (v) => v.free());
const specs = new BoundedCache<VersionSpec>(MAX_CACHED, (s) => s.free());

function parseVersion(v: string): Version {
  let parsed = versions.get(v);
  if (parsed === undefined) {
    try {
      parsed = new (loadRattler().Version)(v);
    } catch {
      throw invalidVersion('conda', v);
    }
    versions.set(v, parsed);
  }
  return parsed;
}

function parseSpec(spec: string): VersionSpec {
  let parsed = specs.get(spec);
  if (parsed === undefined) {
    try {
      // Lenient, because real recipes and repodata carry specs strict mode rejects but conda accepts:
      // `>=1.2.*` (read as `>=1.2`) and a bare `1.5` (read as `==1.5`; a bare version in a full
      // MatchSpec string means `1.5.*`, which is the caller's job, not this spec parser's).
      parsed = new (loadRattler().VersionSpec)(spec, 'lenient');
    } catch {
      throw invalidSpec('conda', spec);
    }
    specs.set(spec, parsed);
  }
  return parsed;
}

export const condaScheme: VersionScheme = {
  id: 'conda',

  isValid(v) {
    try {
      versions.makeRoom(1);
      parseVersion(v);
      return true;
    } catch {
      return false;
    }
  },

  normalize(v) {
    versions.makeRoom(1);
    return parseVersion(v).toString();
  },

  compare(a, b) {
    // Room is made up front so parsing `b` cannot evict (and free) `a` mid-call.
    versions.makeRoom(2);
    return sign(parseVersion(a).compare(parseVersion(b)));
  },

  satisfies(version, spec) {
    versions.makeRoom(1);
    specs.makeRoom(1);
    const v = parseVersion(version);
    return parseSpec(spec).matches(v);
  },
};
