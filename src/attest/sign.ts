/**
 * Signing in-toto statements as Sigstore bundles v0.3 with a DSSE envelope (`signStatement`), and
 * with it a conda artifact's CEP-27 publish attestation (`signArtifact`: the statement
 * `publishStatement(artifact, channel)`) and the build's SLSA provenance.
 *
 * - **Keyless**: an ephemeral P-256 key, a Fulcio certificate binding it to an OIDC identity (a
 *   token given, or the ambient CI token: GitHub Actions' `ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN`,
 *   `SIGSTORE_ID_TOKEN`, Buildkite), and a Rekor `dsse` entry. Sigstore public-good by default.
 * - **Keyed**: a local ECDSA P-256 key; no Fulcio, Rekor or TSA, so it works offline and
 *   air-gapped. The bundle names the key by its hint (base64 SHA-256 of the SPKI DER).
 */
import { createHash, sign as signBytes } from 'node:crypto';
import { basename } from 'node:path';
import { bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import {
  CIContextProvider,
  DSSEBundleBuilder,
  FulcioSigner,
  type IdentityProvider,
  InternalError,
  RekorWitness,
  type Signer as SigningKey,
} from '@sigstore/sign';
import { CvebuildError } from '../errors.ts';
import { fsError } from '../fs/read-input.ts';
import { regularFileStream } from '../fs/regular-file.ts';
import { keyId, parsePrivateKey, publicKeyPem } from './keys.ts';
import {
  CONDA_ARTIFACT,
  DEFAULT_FULCIO_URL,
  DEFAULT_REKOR_URL,
  IN_TOTO_PAYLOAD_TYPE,
  type PublishStatement,
  publishStatement,
} from './statement.ts';
import type { ArtifactRef, Signer } from './types.ts';

export interface KeylessSigning {
  /** Fulcio base URL (default https://fulcio.sigstore.dev). */
  fulcioUrl?: string;
  /** Rekor base URL (default https://rekor.sigstore.dev). */
  rekorUrl?: string;
  /** An OIDC identity token (JWT); default: the ambient CI token. */
  identityToken?: string;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Retries of a failed request (default 2, with backoff). */
  retries?: number;
}

export interface KeyedSigning {
  /** PKCS#8 (or SEC1) PEM of an ECDSA P-256 private key. */
  privateKeyPem: string;
}

/** How a statement is signed: with a local key, or keyless (exactly one of the two). */
export interface SigningMethod {
  keyless?: KeylessSigning;
  keyed?: KeyedSigning;
}

export interface SignOptions extends SigningMethod {
  /** The channel URL the package is published to (`predicate.targetChannel`). */
  channel: string;
}

/** A statement signed: the bundle, who signed it, and (keyless) where it was logged. */
export interface SignedStatement {
  /** The Sigstore bundle v0.3 (JSON), ready to write or append to a `.sigs` array. */
  bundle: SerializedBundle;
  /** Who signed: the certificate's identity and issuer (keyless), or `sha256:<key id>` (keyed). */
  signer: Signer;
  /** Keyless: the transparency-log entry's index. */
  logIndex?: string;
}

export interface SignedAttestation extends SignedStatement {
  artifact: ArtifactRef;
  statement: PublishStatement;
}

/** Signs the artifact at `file` (named by its basename, hashed while streamed). */
export async function signArtifact(file: string, options: SignOptions): Promise<SignedAttestation> {
  const filename = basename(file);
  if (!CONDA_ARTIFACT.test(filename)) {
    throw new CvebuildError('INPUT_UNRECOGNIZED', 'not a conda artifact: CEP 27 signs .conda and .tar.bz2 files', {
      file,
    });
  }
  const sha256 = await sha256File(file);
  return signStatementFor({ filename, sha256 }, options);
}

/** Signs the statement for an artifact already hashed. */
export async function signStatementFor(artifact: ArtifactRef, options: SignOptions): Promise<SignedAttestation> {
  checkChannel(options.channel);
  if (!/^[0-9a-f]{64}$/i.test(artifact.sha256)) {
    throw new CvebuildError('USAGE', `not a sha256 digest: ${JSON.stringify(artifact.sha256)}`);
  }
  const statement = publishStatement(artifact, options.channel);
  const signed = await signStatement(statement, options);
  return {
    ...signed,
    artifact: { filename: artifact.filename, sha256: artifact.sha256.toLowerCase() },
    statement,
  };
}

/** Signs any in-toto statement: a DSSE envelope (`application/vnd.in-toto+json`) in a Sigstore bundle. */
export async function signStatement(statement: object, how: SigningMethod): Promise<SignedStatement> {
  if (how.keyless && how.keyed) {
    throw new CvebuildError('USAGE', 'sign either keyless or with a key, not both');
  }
  const builder = how.keyed ? keyedBuilder(how.keyed) : keylessBuilder(how.keyless ?? {});
  const data = Buffer.from(JSON.stringify(statement), 'utf8');
  let bundle: SerializedBundle;
  try {
    bundle = bundleToJSON(await builder.create({ data, type: IN_TOTO_PAYLOAD_TYPE }));
  } catch (error) {
    throw signingError(error, how.keyless);
  }
  const logIndex = bundle.verificationMaterial.tlogEntries?.[0]?.logIndex;
  return { bundle, signer: bundleSigner(bundle), ...(logIndex !== undefined ? { logIndex } : {}) };
}

const OID_ISSUER_V2 = '1.3.6.1.4.1.57264.1.8';
const OID_ISSUER_V1 = '1.3.6.1.4.1.57264.1.1';

/** The signer a freshly made bundle names (not a verification: the caller made it). */
function bundleSigner(bundle: SerializedBundle): Signer {
  const material = bundle.verificationMaterial;
  const raw = material.certificate?.rawBytes ?? material.x509CertificateChain?.certificates[0]?.rawBytes;
  if (!raw) return { identity: `sha256:${material.publicKey?.hint ?? 'unknown'}` };
  const certificate = X509Certificate.parse(Buffer.from(raw, 'base64'));
  const v2 = certificate.extension(OID_ISSUER_V2)?.valueObj.subs[0]?.value.toString('utf8');
  const issuer = v2 ?? certificate.extension(OID_ISSUER_V1)?.value.toString('utf8');
  return { identity: certificate.subjectAltName ?? 'unknown', ...(issuer ? { issuer } : {}) };
}

/** The SHA-256 of a file's bytes, streamed. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of regularFileStream(file)) hash.update(chunk as Buffer);
  } catch (error) {
    throw fsError(file, error);
  }
  return hash.digest('hex');
}

/**
 * CEP 27: `targetChannel` is a URL without a trailing slash (publishStatement strips it). A statement
 * is public (Rekor) and long-lived, so a channel URL with credentials or a `/t/<token>` segment is
 * refused rather than published.
 */
function checkChannel(channel: string): void {
  let url: URL;
  try {
    url = new URL(channel);
  } catch {
    throw new CvebuildError(
      'USAGE',
      `the channel must be a URL such as https://prefix.dev/my-channel, not ${JSON.stringify(channel)}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new CvebuildError('USAGE', `the channel must be an http(s) URL, not ${JSON.stringify(channel)}`);
  }
  if (url.username || url.password || /\/t\/[^/]+(\/|$)/.test(url.pathname) || url.search || url.hash) {
    throw new CvebuildError(
      'USAGE',
      'the channel URL carries credentials, a /t/<token> segment, a query or a fragment; the signed statement is public, give the plain channel URL',
    );
  }
}

function keyedBuilder(keyed: KeyedSigning): DSSEBundleBuilder {
  const privateKey = parsePrivateKey(keyed.privateKeyPem);
  const publicKey = publicKeyPem(privateKey);
  const hint = keyId(privateKey);
  const signer: SigningKey = {
    sign: async (data: Buffer) => ({
      signature: signBytes('sha256', data, privateKey),
      key: { $case: 'publicKey', publicKey, hint },
    }),
  };
  return new DSSEBundleBuilder({ signer, witnesses: [] });
}

function keylessBuilder(keyless: KeylessSigning): DSSEBundleBuilder {
  const timeout = keyless.timeoutMs ?? 30_000;
  const fetchOptions = {
    timeout,
    retry: { retries: keyless.retries ?? 2, factor: 2, minTimeout: 500, maxTimeout: 4000 },
  };
  const token = keyless.identityToken?.trim();
  const identityProvider: IdentityProvider = token
    ? { getToken: async () => token }
    : new CIContextProvider('sigstore');
  const signer = new FulcioSigner({
    identityProvider,
    fulcioBaseURL: baseUrl(keyless.fulcioUrl ?? DEFAULT_FULCIO_URL, 'Fulcio'),
    ...fetchOptions,
  });
  const rekor = new RekorWitness({
    rekorBaseURL: baseUrl(keyless.rekorUrl ?? DEFAULT_REKOR_URL, 'Rekor'),
    entryType: 'dsse',
    fetchOnConflict: true,
    ...fetchOptions,
  });
  return new DSSEBundleBuilder({ signer, witnesses: [rekor] });
}

function baseUrl(url: string, service: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('not http(s)');
  } catch {
    throw new CvebuildError('USAGE', `the ${service} URL is not an http(s) URL: ${JSON.stringify(url)}`);
  }
  return url.replace(/\/+$/, '');
}

/** @sigstore/sign's errors as one line, never echoing the identity token. */
function signingError(error: unknown, keyless: KeylessSigning | undefined): CvebuildError {
  if (error instanceof CvebuildError) return error;
  const token = keyless?.identityToken?.trim();
  const redact = (text: string): string =>
    (token ? text.split(token).join('<token>') : text).replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<token>');
  if (error instanceof InternalError) {
    const cause = error.cause instanceof Error ? error.cause.message : error.cause ? String(error.cause) : '';
    const what: Record<string, string> = {
      IDENTITY_TOKEN_READ_ERROR:
        'no OIDC identity token: pass --identity-token, or run in GitHub Actions with `permissions: id-token: write`',
      IDENTITY_TOKEN_PARSE_ERROR: 'the identity token is not a JWT with a subject (or a verified email)',
      CA_CREATE_SIGNING_CERTIFICATE_ERROR: 'Fulcio did not issue a signing certificate',
      TLOG_CREATE_ENTRY_ERROR: 'Rekor did not log the signature',
      TLOG_FETCH_ENTRY_ERROR: 'Rekor did not return the existing entry',
    };
    const summary = what[error.code] ?? error.message;
    const detail =
      error.code === 'IDENTITY_TOKEN_READ_ERROR'
        ? ''
        : [error.code === 'IDENTITY_TOKEN_PARSE_ERROR' ? '' : error.message, cause].filter(Boolean).join(': ');
    return new CvebuildError('SIGNING_FAILED', redact(detail ? `${summary} (${detail})` : summary));
  }
  const text = error instanceof Error ? error.message : String(error);
  return new CvebuildError('SIGNING_FAILED', redact(text.split('\n', 1)[0] ?? ''));
}
