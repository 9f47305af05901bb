/**
 * What a detector (ours, or a secretlint preset rule after mapping) says about one secret before it
 * becomes a `CodeHit`: where it is, which part of the span is the secret, and how sure we are.
 * Detections carry offsets, never the secret text: they travel through secretlint's message `data`.
 */
import type { Confidence } from '../code/types.ts';
import type { Severity } from '../model/finding.ts';

export interface Detection {
  /** Our rule id (`SECRET_RULES`). */
  rule: string;
  /** Reported span [start, end) in the content (what the hit's line/column cover). */
  start: number;
  end: number;
  /** The secret itself [start, end), inside or equal to the reported span: what is masked and fingerprinted. */
  secretStart: number;
  secretEnd: number;
  /** What exactly was found (`personal-access-token`, `package-index-url`, `rsa`…). */
  kind: string;
  /** The secret's public prefix kept by the mask (`ghp_`, `pypi-AgE`, `AKIA`); empty when none. */
  prefix: string;
  confidence: Confidence;
  /** Overrides the rule's default severity. */
  severity?: Severity;
  /** Replaces the default `prefix**** (N chars)` mask (it must not contain the secret). */
  masked?: string;
  /** A phrase appended to the message ("in a PyPI index URL", "encrypted"): never the secret. */
  detail?: string;
  /**
   * The "secret" span is public (a keyring placeholder username): snippets show it as is. Such a hit
   * says a file holds a credential-bearing reference, not a secret.
   */
  public?: boolean;
  /** Replaces the rule's remedy. */
  remedy?: string;
  /** Strip these from the secret before fingerprinting (PEM bodies: whitespace and `\n` escapes). */
  normalize?: 'pem';
}

/** What decides whether a detector is worth running on a text: cheap substring / path tests. */
export interface Anchors {
  /** Any of these substrings (case-sensitive). */
  literals?: readonly string[];
  /** Or this regex (`test`, no `g`). */
  pattern?: RegExp;
  /** `pattern` loosened to a file's raw UTF-8 bytes. Absent: the pattern may match any file. */
  patternInBytes?: BytePattern;
  /** Or this file path predicate (e.g. `.env` files). */
  path?: (path: string) => boolean;
}

/** A regex anchor on raw UTF-8 bytes, so that a file with no anchor need not be decoded. */
export interface BytePattern {
  /** False only if the regex matches nowhere in the text these bytes decode to. */
  test(bytes: Buffer): boolean;
  /** The most bytes a match spans: a file read in windows overlapping by one less is tested whole. */
  maxBytes: number;
}

const COLON = 0x3a;
const SLASH = 0x2f;
const AT = 0x40;
/** A UTF-16 code unit of decoded text comes from at most 3 bytes (a BMP character, or U+FFFD for a broken sequence). */
const MAX_RUN_BYTES = 256 * 3;

/** The anchor of URL userinfo rules (ours and the preset's basic-auth): `://…@` before any `/`. */
export const USERINFO_ANCHORS: Anchors = {
  pattern: /:\/\/[^\s/@]{1,256}@/,
  patternInBytes: { test: userinfoInBytes, maxBytes: '://'.length + MAX_RUN_BYTES + '@'.length },
};

/** What ends the userinfo run: ASCII whitespace, `/` and `@`. */
function endsUserinfo(byte: number): boolean {
  return byte === SLASH || byte === AT || byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * `://`, 1-256 code units that are not whitespace, `/` or `@`, then `@`, on UTF-8 bytes. ASCII
 * bytes decode to themselves and other bytes to non-ASCII characters, so the run is 1-768 bytes
 * without ASCII whitespace, `/` or `@` (a non-ASCII space does not end it: a looser test, never a
 * missed match). Every match ends at an `@`, and `@` is rare where `://` is not (locks), so the
 * run is looked for backwards from each `@`. A run cut by the start of `bytes` is no match: the
 * windows a file is read in overlap so that one of them holds each match whole.
 */
function userinfoInBytes(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(AT); at !== -1; at = bytes.indexOf(AT, at + 1)) {
    const limit = Math.max(0, at - MAX_RUN_BYTES);
    let start = at;
    while (start > limit && !endsUserinfo(bytes[start - 1] as number)) start--;
    if (start === at || start < 3) continue;
    if (bytes[start - 1] === SLASH && bytes[start - 2] === SLASH && bytes[start - 3] === COLON) return true;
  }
  return false;
}

/** Spellings of `aws_secret_access_key` the AWS secret rules can match (their regexes are case-insensitive). */
export const AWS_SECRET_ANCHORS = [
  'SECRET_ACCESS_KEY',
  'secret_access_key',
  'Secret_Access_Key',
  'SecretAccessKey',
  'secretAccessKey',
  'SECRETACCESSKEY',
  'secretaccesskey',
  'AWS_SECRET',
  'aws_secret',
  'Aws_Secret',
  'AwsSecret',
  'awsSecret',
  'AWSSECRET',
  'awssecret',
];

export function anchored(anchors: Anchors, content: string, path: string): boolean {
  if (anchors.path?.(path)) return true;
  if (anchors.literals) for (const literal of anchors.literals) if (content.includes(literal)) return true;
  return anchors.pattern ? anchors.pattern.test(content) : false;
}
