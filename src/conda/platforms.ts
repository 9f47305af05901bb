/**
 * Conda platform (subdir) names, as rattler knows them. The WASM module loads in ~60 ms, so it is
 * imported once, on first use.
 */
import { isPlatform } from '@conda-org/rattler';

/** `noarch` is a subdir but not an install platform; rattler's list covers the rest. */
export function isKnownSubdir(subdir: string): boolean {
  return subdir === 'noarch' || isPlatform(subdir);
}
