/**
 * Upstream release tags → release versions, by each product's tag styles in the product map:
 * `curl-7_88_0` → 7.88.0, `OpenSSL_1_1_1t` → 1.1.1t, `VER-2-13-2` → 2.13.2, `hdf5-1_14_1-2` → 1.14.1.2.
 * OSV GIT ranges and vendor tables name tags; the matcher compares release versions.
 */
import type { TagStyle } from './native-file.ts';

/** The release version a tag names, by the first style that reads it; undefined for other tags (branches, RCs the style does not cover). */
export function releaseFromTag(tag: string, styles: readonly TagStyle[]): string | undefined {
  for (const style of styles) {
    const version = readTag(tag, style);
    if (version !== undefined) return version;
  }
  return undefined;
}

function readTag(tag: string, { prefix, separator, suffix = '' }: TagStyle): string | undefined {
  if (!tag.startsWith(prefix) || !tag.endsWith(suffix)) return undefined;
  const body = tag.slice(prefix.length, tag.length - suffix.length);
  // A `-N` after the numbers is an upstream re-release (`hdf5-1_14_1-2`): one more numeric segment.
  const segments = body
    .split(separator)
    .flatMap((segment, index, all) => (index === all.length - 1 && separator !== '-' ? segment.split('-') : [segment]));
  const last = segments.length - 1;
  const valid = segments.every((segment, index) =>
    index === last ? /^\d+[a-z]{0,2}$/.test(segment) : /^\d+$/.test(segment),
  );
  return segments.length > 0 && valid ? segments.join('.') : undefined;
}
