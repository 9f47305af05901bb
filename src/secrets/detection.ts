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
  /** Or this file path predicate (e.g. `.env` files). */
  path?: (path: string) => boolean;
}

/** The anchor of URL userinfo rules (ours and the preset's basic-auth): `://…@` before any `/`. */
export const USERINFO_ANCHOR = /:\/\/[^\s/@]{1,256}@/;

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
