/**
 * Archive member names are untrusted: normalize the harmless variants (`./` prefixes, repeated
 * slashes) and say why a name could escape the directory it is extracted into.
 */

export interface ArchivePath {
  /** Normalized relative path with `/` separators (empty for the archive root itself). */
  path: string;
  /** Why an installer extracting this name could write outside its target; absent when safe. */
  unsafe?: string;
}

export function normalizeArchivePath(raw: string): ArchivePath {
  if (raw.includes('\0')) return { path: raw.replace(/\0/g, '\\0'), unsafe: 'contains a NUL byte' };
  if (/^[\\/]/.test(raw)) return { path: raw, unsafe: 'absolute path' };
  if (/^[A-Za-z]:/.test(raw)) return { path: raw, unsafe: 'drive-letter path' };
  // A backslash is a separator to a Windows installer, so `..\` escapes there even inside one tar name.
  const segments = raw.split(/[\\/]/);
  if (segments.includes('..')) return { path: raw, unsafe: 'parent-directory (..) segment' };
  return { path: segments.filter((segment) => segment !== '' && segment !== '.').join('/') };
}
