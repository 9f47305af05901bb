/**
 * Trust material for verification, from a `TrustSource`:
 *
 * - `production`: Sigstore's public-good trusted root (Fulcio CAs, Rekor and CT log keys, TSA),
 *   decoded from the TUF seed that ships inside `@sigstore/tuf` (`seeds.json`). No network: the
 *   copy is as fresh as the installed `@sigstore/tuf` (5.0.1 when this was written; the running
 *   version is in `PRODUCTION_ROOT_ORIGIN`). A root that rotated keys after that release needs a
 *   newer `@sigstore/tuf` or `--trusted-root`.
 * - `trusted-root`: a `trusted_root.json` file (a private Sigstore deployment, staging, a mirror).
 * - `public-key`: a local ECDSA P-256 key (keyed signing, `cvebuild keygen`). No certificate, SCT,
 *   transparency-log or timestamp is required; any transparency-log entry or timestamp the bundle
 *   does carry is still checked, against the production root or the given `trustedRoot`.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type TrustMaterial, toTrustMaterial, type VerifierOptions } from '@sigstore/verify';
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';
import { keyId, parsePublicKey } from './keys.ts';
import type { TrustSource } from './types.ts';

const require = createRequire(import.meta.url);

/** The TUF repository whose embedded trusted root is Sigstore's production root. */
const PUBLIC_GOOD_TUF = 'https://tuf-repo-cdn.sigstore.dev';

/** Where the offline production root comes from: `@sigstore/tuf@<version> seeds.json (<tuf repository>)`. */
export const PRODUCTION_ROOT_ORIGIN = `@sigstore/tuf@${tufVersion()} seeds.json (${PUBLIC_GOOD_TUF})`;

/** The trust a verification runs with: the library's trust material and how many of each proof it demands. */
export interface ResolvedTrust {
  kind: 'keyless' | 'key';
  material: TrustMaterial;
  thresholds: VerifierOptions;
  /** Key trust: how the key is named (the caller's hint, else `sha256:` + base64 SHA-256 of its SPKI DER). */
  keyName?: string;
  /** Key trust: base64 SHA-256 of the key's SPKI DER, the conventional Sigstore key hint. */
  keyId?: string;
  /** Where the trusted root came from, for messages. */
  rootOrigin: string;
}

/** Trust material for `source`. Throws `TRUST_ROOT_INVALID` / `KEY_INVALID` for unusable input. */
export function resolveTrust(source: TrustSource): ResolvedTrust {
  switch (source.kind) {
    case 'production':
      return cachedKeyless('production', productionTrustedRoot, PRODUCTION_ROOT_ORIGIN);
    case 'trusted-root':
      return keylessTrust(source.path);
    case 'public-key':
      return keyTrust(source.pem, source.hint, source.trustedRoot);
    default:
      throw new CvebuildError('USAGE', `unknown trust source ${JSON.stringify((source as { kind: unknown }).kind)}`);
  }
}

/** The production trusted root as JSON, decoded from `@sigstore/tuf/seeds.json`. */
export function productionTrustedRoot(): unknown {
  const seeds = require('@sigstore/tuf/seeds.json') as Record<string, { targets?: Record<string, string> }>;
  const encoded = seeds[PUBLIC_GOOD_TUF]?.targets?.['trusted_root.json'];
  if (!encoded) {
    throw new CvebuildError('TRUST_ROOT_INVALID', `${PRODUCTION_ROOT_ORIGIN} has no trusted_root.json target`);
  }
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
}

/** Reads a trusted_root.json file (unparsed JSON). */
export function readTrustedRoot(path: string): unknown {
  const text = readTextInput(path);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CvebuildError('TRUST_ROOT_INVALID', `not JSON: ${(error as Error).message}`, { file: path });
  }
}

/**
 * A trusted root checked for what @sigstore/verify leaves unchecked: the media type, and that every
 * validity period has its required `start` (the library would read a missing start as "forever").
 */
export function parseTrustedRoot(json: unknown, origin: string): TrustedRoot {
  const fail = (message: string): never => {
    throw new CvebuildError('TRUST_ROOT_INVALID', `${origin}: ${message}`);
  };
  if (!isObject(json)) return fail('not a JSON object');
  const mediaType = json.mediaType;
  if (typeof mediaType !== 'string' || !mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    return fail(`not a Sigstore trusted root (mediaType ${JSON.stringify(mediaType)})`);
  }
  const lists: [string, (entry: Record<string, unknown>) => unknown][] = [
    ['tlogs', (entry) => (isObject(entry.publicKey) ? entry.publicKey.validFor : undefined)],
    ['ctlogs', (entry) => (isObject(entry.publicKey) ? entry.publicKey.validFor : undefined)],
    ['certificateAuthorities', (entry) => entry.validFor],
    ['timestampAuthorities', (entry) => entry.validFor],
  ];
  for (const [name, validFor] of lists) {
    const list = json[name];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return fail(`${name} is not a list`);
    for (const [index, entry] of (list as unknown[]).entries()) {
      if (!isObject(entry)) return fail(`${name}[${index}] is not an object`);
      const range = validFor(entry);
      if (!isObject(range) || typeof range.start !== 'string' || Number.isNaN(Date.parse(range.start))) {
        return fail(`${name}[${index}] has no valid validFor.start`);
      }
      if (
        range.end !== undefined &&
        range.end !== null &&
        (typeof range.end !== 'string' || Number.isNaN(Date.parse(range.end)))
      ) {
        return fail(`${name}[${index}] has an invalid validFor.end`);
      }
    }
  }
  try {
    return TrustedRoot.fromJSON(json);
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** Keyless trust from a trusted root (JSON already loaded), with the library's default thresholds. */
export function keylessTrustFromJson(json: unknown, origin: string): ResolvedTrust {
  const root = parseTrustedRoot(json, origin);
  let material: TrustMaterial;
  try {
    material = toTrustMaterial(root);
  } catch (error) {
    throw new CvebuildError('TRUST_ROOT_INVALID', `${origin}: ${(error as Error).message}`);
  }
  // One transparency-log entry (or none with Rekor v2, which brings a TSA timestamp), one SCT, one timestamp.
  return {
    kind: 'keyless',
    material,
    thresholds: { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 },
    rootOrigin: origin,
  };
}

/**
 * Key trust: the bundle's signature must verify with `pem`, whatever key hint the bundle names (a
 * hint is unauthenticated). Transparency-log entries and timestamps are optional; those present are
 * verified against the production root, or `trustedRoot` (a path) when given.
 */
export function keyTrust(pem: string, hint?: string, trustedRoot?: string): ResolvedTrust {
  const key = `key\0${pem}\0${hint ?? ''}\0${trustedRoot ?? ''}`;
  const cached = trustCache.get(key);
  if (cached && !trustedRoot) return cached;
  const trust = buildKeyTrust(pem, hint, trustedRoot);
  remember(key, trust);
  return trust;
}

function buildKeyTrust(pem: string, hint: string | undefined, trustedRoot: string | undefined): ResolvedTrust {
  const publicKey = parsePublicKey(pem);
  const id = keyId(publicKey);
  const rootOrigin = trustedRoot ?? PRODUCTION_ROOT_ORIGIN;
  const root = parseTrustedRoot(trustedRoot ? readTrustedRoot(trustedRoot) : productionTrustedRoot(), rootOrigin);
  const material = toTrustMaterial(root, () => ({ publicKey, validFor: () => true }));
  return {
    kind: 'key',
    material,
    thresholds: { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 },
    keyName: hint ?? `sha256:${id}`,
    keyId: id,
    rootOrigin,
  };
}

function keylessTrust(path: string): ResolvedTrust {
  const text = readTrustedRoot(path);
  const digest = createHash('sha256').update(JSON.stringify(text)).digest('hex');
  return cachedKeyless(`${path}\0${digest}`, () => text, path);
}

const trustCache = new Map<string, ResolvedTrust>();

function remember(key: string, trust: ResolvedTrust): void {
  if (trustCache.size >= 32) trustCache.clear();
  trustCache.set(key, trust);
}

/** Parsing a root (certificates, keys) costs a few ms; a gate verifies many packages against one root. */
function cachedKeyless(key: string, load: () => unknown, origin: string): ResolvedTrust {
  let trust = trustCache.get(key);
  if (!trust) {
    trust = keylessTrustFromJson(load(), origin);
    remember(key, trust);
  }
  return trust;
}

function tufVersion(): string {
  try {
    return (require('@sigstore/tuf/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
