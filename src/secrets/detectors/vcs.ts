/** Source hosting credentials: GitHub tokens, with their CRC32 checksum. */
import type { Detection } from '../detection.ts';
import { type Detector, token, tokenLike } from './shared.ts';

// ---------------------------------------------------------------------------------------------
// GitHub: `ghp_` (PAT), `gho_` (OAuth), `ghu_` (user-to-server), `ghs_` (server-to-server), `ghr_`
// (refresh) + 30 random base62 characters + a 6-character base62 CRC32 of those 30 (GitHub's
// "Behind GitHub's new authentication token formats", 2021); fine-grained PATs are `github_pat_` +
// 22 + `_` + 59. A classic token whose checksum verifies is reported with high confidence.

const GITHUB_CLASSIC = /(?<![A-Za-z0-9_])(gh[pousr])_([A-Za-z0-9]{36})(?![A-Za-z0-9_])/g;
const GITHUB_FINE = /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9_])/g;
const GITHUB_KINDS: Record<string, string> = {
  ghp: 'personal-access-token',
  gho: 'oauth-access-token',
  ghu: 'user-to-server-token',
  ghs: 'server-to-server-token',
  ghr: 'refresh-token',
};
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Base62 of an unsigned 32-bit number, left-padded with `0` to 6 characters. */
export function base62(value: number, width = 6): string {
  let rest = value >>> 0;
  let out = '';
  do {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  return out.padStart(width, '0');
}

/**
 * The checksum GitHub appends to a classic token's 30 random characters. node:zlib is fetched here,
 * on first use, rather than imported: loading it costs ~7 ms of every gate's start-up.
 */
export function githubChecksum(random: string): string {
  return base62(process.getBuiltinModule('node:zlib').crc32(random));
}

export const githubToken: Detector = {
  id: 'github-token',
  anchors: { literals: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_'] },
  detect(content) {
    const found: Detection[] = [];
    for (const match of content.matchAll(GITHUB_CLASSIC)) {
      const body = match[2] as string;
      if (!tokenLike(body)) continue;
      const prefix = `${match[1]}_`;
      const valid = githubChecksum(body.slice(0, 30)) === body.slice(30);
      found.push(
        token('github-token', match.index, match[0], {
          kind: GITHUB_KINDS[match[1] as string] ?? 'token',
          prefix,
          confidence: valid ? 'high' : 'medium',
          detail: valid ? 'checksum verified' : undefined,
        }),
      );
    }
    for (const match of content.matchAll(GITHUB_FINE)) {
      if (!tokenLike(match[0].slice(11))) continue;
      found.push(
        token('github-token', match.index, match[0], {
          kind: 'fine-grained-personal-access-token',
          prefix: 'github_pat_',
          confidence: 'high',
        }),
      );
    }
    return found;
  },
};
