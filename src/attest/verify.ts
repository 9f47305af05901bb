/**
 * Verifying attestations, in two layers:
 *
 * 1. **Sigstore** (`verifySigstoreBundle`): the bundle is well formed; the signing certificate
 *    chains to a trusted Fulcio CA and carries an SCT (or, keyed, the trusted key signed it); the
 *    transparency-log entries prove inclusion and match the signature; the timestamps fall inside
 *    the certificate's validity; the signature verifies; the signer is a trusted publisher
 *    (identity exactly or by an anchored regular expression, issuer exactly, any publisher).
 * 2. **CEP 27** (`verifyAttestation`): the DSSE payload is an in-toto Statement v1 with the conda
 *    publish predicate, about exactly one subject whose name is the artifact's filename and whose
 *    sha256 is the artifact's, published to the channel the package came from.
 *
 * Everything is synchronous and offline: @sigstore/verify needs no network once the trust
 * material is loaded. A rejection is an answer (`ok: false`, a code and a one-line reason); a
 * `CvebuildError` is thrown only for unusable configuration (trust root, key, publisher pattern).
 */
import { createHash } from 'node:crypto';
import { type Bundle, bundleFromJSON, ValidationError } from '@sigstore/bundle';
import { RFC3161Timestamp, X509Certificate } from '@sigstore/core';
import { type SignedEntity, toSignedEntity, VerificationError, Verifier } from '@sigstore/verify';
import { matchChannel } from '../conda/channels.ts';
import { CvebuildError } from '../errors.ts';
import { DigestOnlyUnsupported, DigestSignatureContent, signsSha256 } from './digest-signature.ts';
import { type FulcioClaims, fulcioClaims } from './fulcio-claims.ts';
import { CEP27_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE } from './statement.ts';
import { type ResolvedTrust, resolveTrust } from './trust.ts';
import type { ArtifactRef, RejectionCode, Signer, TrustedPublisher, VerifyOutcome, VerifyPolicy } from './types.ts';

export type Rejection = { ok: false; code: RejectionCode; reason: string };

/** What the Sigstore layer established about a bundle. */
export interface SigstoreVerified {
  signer: Signer;
  /** Signed with a trusted key rather than a Fulcio certificate. */
  keyed: boolean;
  /** DSSE bundles: the envelope's payload type and (now authenticated) payload bytes. */
  envelope?: { payloadType: string; payload: Buffer };
  /** When the signature was logged or timestamped (the earliest proof), if the bundle has one. */
  signedAt?: Date;
  /** The first transparency-log entry: its index and log id (base64). */
  tlogEntry?: { logIndex: string; logId: string };
  /** Keyless: the OIDC claims of the verified signing certificate (repository, workflow, ref…). */
  claims?: FulcioClaims;
}

/** An artifact known only by its digest (`sha256:<hex>` on the command line). */
export interface ArtifactDigest {
  sha256: string;
}

export type SigstoreOutcome = { ok: true; verified: SigstoreVerified } | Rejection;

export interface SigstoreCheck {
  trust: ResolvedTrust;
  /** Keyless: who may have signed (any one). Ignored with key trust. Must not be empty for keyless trust. */
  publishers: TrustedPublisher[];
  /**
   * The artifact: its bytes, or only its SHA-256. Message-signature bundles sign it directly (a
   * digest alone is checked against an ECDSA signature as a prehashed message); for DSSE bundles an
   * in-toto subject must carry its sha256 (the sigstore-conformance rule). Omit for CEP 27, whose
   * own layer binds the statement to the artifact.
   */
  artifact?: Uint8Array | ArtifactDigest;
}

/** What a verified CEP-27 attestation says, for display. */
export interface AttestationDetails {
  subject: { name: string; sha256: string };
  predicateType: string;
  keyed: boolean;
  signedAt?: Date;
  tlogEntry?: { logIndex: string; logId: string };
}

export type AttestationOutcome = Rejection | (Extract<VerifyOutcome, { ok: true }> & { details: AttestationDetails });

export interface SidecarRejection {
  index: number;
  code: RejectionCode;
  reason: string;
}

/** A sidecar's verdict: the first bundle that passes, or the most relevant rejection (all of them listed). */
export type SidecarOutcome =
  | (Extract<AttestationOutcome, { ok: true }> & { index: number; rejections: SidecarRejection[] })
  | (Rejection & { index?: number; rejections: SidecarRejection[] });

/**
 * Verifies one CEP-27 attestation bundle (parsed JSON) for `artifact` under `policy`.
 * Throws `CvebuildError` for unusable trust material or publisher patterns, and when keyless trust
 * comes with no publisher (there is no "any identity").
 */
export function verifyAttestation(bundle: unknown, artifact: ArtifactRef, policy: VerifyPolicy): AttestationOutcome {
  return verifyWithTrust(bundle, artifact, policy, prepare(policy));
}

/**
 * Verifies a `.sigs` / `.v0.sigs` sidecar: a JSON array of bundles (a single bundle object is taken
 * as a one-element array). Passes if any bundle passes; otherwise reports the rejection that got
 * furthest (a statement mismatch from a trusted signer says more than a malformed bundle).
 */
export function verifySidecar(bundles: unknown, artifact: ArtifactRef, policy: VerifyPolicy): SidecarOutcome {
  const list = Array.isArray(bundles) ? bundles : [bundles];
  if (list.length === 0) {
    return { ok: false, code: 'malformed', reason: 'the sidecar holds no attestation bundles', rejections: [] };
  }
  const prepared = prepare(policy);
  const rejections: SidecarRejection[] = [];
  for (const [index, bundle] of list.entries()) {
    const outcome = verifyWithTrust(bundle, artifact, policy, prepared);
    if (outcome.ok) return { ...outcome, index, rejections };
    rejections.push({ index, code: outcome.code, reason: outcome.reason });
  }
  let best = rejections[0] as SidecarRejection;
  for (const rejection of rejections) if (STAGE[rejection.code] > STAGE[best.code]) best = rejection;
  const reason =
    list.length === 1
      ? best.reason
      : `none of the ${list.length} bundles verifies; bundle ${best.index + 1}: ${best.reason}`;
  return { ok: false, code: best.code, reason, index: best.index, rejections };
}

/** How far verification got before a rule failed: the higher, the more relevant the rejection. */
const STAGE: Record<RejectionCode, number> = {
  malformed: 0,
  signature: 1,
  certificate: 1,
  'transparency-log': 1,
  identity: 2,
  issuer: 2,
  'statement-type': 3,
  'predicate-type': 3,
  'subject-count': 4,
  'subject-name': 4,
  'subject-digest': 4,
  'target-channel': 4,
};

interface Prepared {
  trust: ResolvedTrust;
  channel?: string;
}

function prepare(policy: VerifyPolicy): Prepared {
  const trust = resolveTrust(policy.trust);
  if (trust.kind === 'keyless') compilePublishers(policy.publishers);
  const channel = policy.channel;
  if (channel !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(channel.trim())) {
    throw new CvebuildError(
      'USAGE',
      `the channel to check targetChannel against must be a URL, not ${JSON.stringify(channel)}`,
    );
  }
  return { trust, channel };
}

function verifyWithTrust(
  bundle: unknown,
  artifact: ArtifactRef,
  policy: VerifyPolicy,
  prepared: Prepared,
): AttestationOutcome {
  const parsed = parseBundle(bundle);
  if (!parsed.ok) return parsed;
  if (parsed.bundle.content.$case !== 'dsseEnvelope') {
    return reject(
      'malformed',
      'the bundle holds a message signature, not a DSSE attestation (CEP 27 signs an in-toto statement); cvebuild verify-bundle checks any Sigstore bundle',
    );
  }
  const sigstore = verifyParsedBundle(parsed.bundle, { trust: prepared.trust, publishers: policy.publishers });
  if (!sigstore.ok) return sigstore;
  const { verified } = sigstore;
  const envelope = verified.envelope as { payloadType: string; payload: Buffer };
  const statement = checkStatement(envelope, artifact, prepared.channel);
  if (!statement.ok) return statement;
  return {
    ok: true,
    signer: verified.signer,
    ...(statement.targetChannel !== undefined ? { targetChannel: statement.targetChannel } : {}),
    details: {
      subject: { name: artifact.filename, sha256: statement.sha256 },
      predicateType: CEP27_PREDICATE_TYPE,
      keyed: verified.keyed,
      ...(verified.signedAt ? { signedAt: verified.signedAt } : {}),
      ...(verified.tlogEntry ? { tlogEntry: verified.tlogEntry } : {}),
    },
  };
}

/** The Sigstore layer alone: any bundle (message signature or DSSE, v0.1–v0.3), no CEP-27 rules. */
export function verifySigstoreBundle(bundle: unknown, check: SigstoreCheck): SigstoreOutcome {
  if (check.trust.kind === 'keyless') compilePublishers(check.publishers);
  const parsed = parseBundle(bundle);
  return parsed.ok ? verifyParsedBundle(parsed.bundle, check) : parsed;
}

function parseBundle(json: unknown): { ok: true; bundle: Bundle } | Rejection {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return reject(
      'malformed',
      `not a Sigstore bundle: a JSON ${json === null ? 'null' : Array.isArray(json) ? 'array' : typeof json}`,
    );
  }
  try {
    return { ok: true, bundle: bundleFromJSON(json) };
  } catch (error) {
    if (error instanceof ValidationError) {
      return reject('malformed', `not a valid Sigstore bundle: ${error.message} (${error.fields.join(', ')})`);
    }
    return reject('malformed', `not a valid Sigstore bundle: ${message(error)}`);
  }
}

function verifyParsedBundle(bundle: Bundle, check: SigstoreCheck): SigstoreOutcome {
  const { trust } = check;
  const material = bundle.verificationMaterial.content;
  if (trust.kind === 'keyless' && material.$case === 'publicKey') {
    return reject(
      'certificate',
      `the bundle has no signing certificate: it is signed with a key (hint ${JSON.stringify(material.publicKey.hint)}); verify it with that public key`,
    );
  }
  if (trust.kind === 'key' && material.$case !== 'publicKey') {
    const san = leafIdentity(bundle);
    return reject(
      'signature',
      `the bundle is signed keylessly${san ? ` by ${san}` : ''} (Fulcio certificate), not with the trusted key ${trust.keyName}`,
    );
  }
  const rootInChain = selfSignedInChain(bundle);
  if (rootInChain) {
    return reject(
      'certificate',
      `the bundle's certificate chain includes a root certificate (${rootInChain}); roots come from the trusted root, never from the bundle`,
    );
  }
  const isDsse = bundle.content.$case === 'dsseEnvelope';
  if (!isDsse && !check.artifact) {
    return reject('malformed', 'a message-signature bundle can only be verified together with the signed artifact');
  }
  const entity = signedEntity(bundle, check.artifact);
  if (!entity.ok) return entity;
  let signer: ReturnType<Verifier['verify']>;
  try {
    signer = new Verifier(trust.material, trust.thresholds).verify(entity.entity);
  } catch (error) {
    if (error instanceof DigestOnlyUnsupported) {
      return reject(
        'signature',
        `the bundle is signed with ${error.message}, which cannot be checked against a digest alone: give the artifact file`,
      );
    }
    return libraryRejection(error, trust, bundle);
  }
  let identity: Signer;
  if (trust.kind === 'key') {
    identity = { identity: trust.keyName as string };
  } else {
    const san = signer.identity?.subjectAlternativeName;
    const issuer = signer.identity?.extensions?.issuer;
    if (!san) return reject('identity', 'the signing certificate names no identity (no subject alternative name)');
    identity = { identity: san, ...(issuer ? { issuer } : {}) };
    const publisher = matchPublisher(identity, check.publishers);
    if (!publisher.ok) return publisher;
  }
  const verified: SigstoreVerified = { signer: identity, keyed: trust.kind === 'key' };
  if (trust.kind === 'keyless' && signer.identity?.oids) verified.claims = fulcioClaims(signer.identity.oids);
  if (bundle.content.$case === 'dsseEnvelope') {
    const { payloadType, payload } = bundle.content.dsseEnvelope;
    verified.envelope = { payloadType, payload: Buffer.from(payload) };
    if (check.artifact) {
      const subjectCheck = subjectCarriesDigest(verified.envelope.payload, artifactSha256(check.artifact));
      if (!subjectCheck.ok) return subjectCheck;
    }
  }
  const signedAt = signingTime(bundle);
  if (signedAt) verified.signedAt = signedAt;
  const entry = bundle.verificationMaterial.tlogEntries[0];
  if (entry)
    verified.tlogEntry = { logIndex: entry.logIndex, logId: Buffer.from(entry.logId.keyId).toString('base64') };
  return { ok: true, verified };
}

/**
 * What @sigstore/verify checks: the bundle, with the artifact's bytes for a message signature, or
 * with a signature content that checks the signature against the artifact's digest.
 */
function signedEntity(
  bundle: Bundle,
  artifact: Uint8Array | ArtifactDigest | undefined,
): { ok: true; entity: SignedEntity } | Rejection {
  try {
    if (bundle.content.$case === 'dsseEnvelope' || artifact === undefined) {
      return { ok: true, entity: toSignedEntity(bundle) };
    }
    if (artifact instanceof Uint8Array) return { ok: true, entity: toSignedEntity(bundle, Buffer.from(artifact)) };
    const { messageSignature } = bundle.content;
    if (!signsSha256(messageSignature)) {
      return reject(
        'malformed',
        'the bundle signs a digest other than SHA-256, so a sha256: digest cannot be checked against it: give the artifact file',
      );
    }
    const entity = toSignedEntity(bundle);
    entity.signature = new DigestSignatureContent(messageSignature, Buffer.from(artifact.sha256, 'hex'));
    return { ok: true, entity };
  } catch (error) {
    return reject('malformed', `the bundle cannot be read: ${message(error)}`);
  }
}

function artifactSha256(artifact: Uint8Array | ArtifactDigest): string {
  return artifact instanceof Uint8Array ? sha256Hex(artifact) : artifact.sha256.toLowerCase();
}

/** Maps @sigstore/verify's errors to a rejection code and a reason a person can act on. */
function libraryRejection(error: unknown, trust: ResolvedTrust, bundle: Bundle): Rejection {
  if (!(error instanceof VerificationError)) {
    return reject('malformed', `the bundle cannot be read: ${message(error)}`);
  }
  const detail = error.message;
  switch (error.code) {
    case 'SIGNATURE_ERROR': {
      const what = bundle.content.$case === 'dsseEnvelope' ? 'the DSSE signature' : 'the signature';
      const material = bundle.verificationMaterial.content;
      if (
        trust.kind === 'key' &&
        material.$case === 'publicKey' &&
        material.publicKey.hint &&
        material.publicKey.hint !== trust.keyId
      ) {
        return reject(
          'signature',
          `${what} does not verify with the trusted key ${trust.keyName}: the bundle names another key (hint ${material.publicKey.hint})`,
        );
      }
      const key = trust.kind === 'key' ? `the trusted key ${trust.keyName}` : "the signing certificate's key";
      return reject(
        'signature',
        `${what} does not verify with ${key} (the signed content was altered or signed with another key)`,
      );
    }
    case 'PUBLIC_KEY_ERROR':
      return reject('signature', `signing key: ${detail}`);
    case 'CERTIFICATE_ERROR': {
      const what = /certificate chain/i.test(detail)
        ? 'the signing certificate does not chain to a Fulcio CA of the trusted root valid at the signing time'
        : /SCT/.test(detail)
          ? "the signing certificate's SCT does not verify against a CT log of the trusted root"
          : 'signing certificate';
      return reject('certificate', `${what} (${detail}; trusted root: ${trust.rootOrigin})`);
    }
    case 'TIMESTAMP_ERROR':
      return reject('transparency-log', `timestamp: ${detail} (trusted root: ${trust.rootOrigin})`);
    case 'TLOG_ERROR':
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
    case 'TLOG_BODY_ERROR':
      return reject('transparency-log', `transparency log: ${detail} (trusted root: ${trust.rootOrigin})`);
    default:
      return reject('malformed', `unsupported bundle: ${detail}`);
  }
}

interface CompiledPublisher {
  publisher: TrustedPublisher;
  matchesIdentity: (identity: string) => boolean;
  label: string;
}

/** Checks and compiles publishers: an issuer, and exactly one of identity / identityRegexp (anchored). */
function compilePublishers(publishers: TrustedPublisher[]): CompiledPublisher[] {
  if (publishers.length === 0) {
    throw new CvebuildError(
      'USAGE',
      'keyless verification needs a trusted publisher: an identity (or identity pattern) and its OIDC issuer',
    );
  }
  const compiled = publishers.map((publisher): CompiledPublisher => {
    if (!publisher.issuer) throw new CvebuildError('USAGE', 'a trusted publisher needs an OIDC issuer');
    const hasIdentity = publisher.identity !== undefined && publisher.identity !== '';
    const hasPattern = publisher.identityRegexp !== undefined && publisher.identityRegexp !== '';
    if (hasIdentity === hasPattern) {
      throw new CvebuildError('USAGE', 'a trusted publisher needs exactly one of an identity and an identity pattern');
    }
    if (hasIdentity) {
      const identity = publisher.identity as string;
      return {
        publisher,
        matchesIdentity: (value) => value === identity,
        label: `${identity} (issuer ${publisher.issuer})`,
      };
    }
    const pattern = publisher.identityRegexp as string;
    let regexp: RegExp;
    try {
      regexp = new RegExp(`^(?:${pattern})$`);
    } catch (error) {
      throw new CvebuildError(
        'USAGE',
        `identity pattern ${JSON.stringify(pattern)} is not a regular expression: ${message(error)}`,
      );
    }
    return {
      publisher,
      matchesIdentity: (value) => regexp.test(value),
      label: `/${pattern}/ (issuer ${publisher.issuer})`,
    };
  });
  return compiled;
}

/**
 * Is the signer one of the publishers? When not, the code says which half failed: `issuer` when the
 * identity is trusted but under another issuer, else `identity`.
 */
export function matchPublisher(
  signer: Signer,
  publishers: TrustedPublisher[],
): { ok: true; publisher: TrustedPublisher } | Rejection {
  const compiled = compilePublishers(publishers);
  for (const candidate of compiled) {
    if (candidate.matchesIdentity(signer.identity) && signer.issuer === candidate.publisher.issuer) {
      return { ok: true, publisher: candidate.publisher };
    }
  }
  const identityKnown = compiled.some((candidate) => candidate.matchesIdentity(signer.identity));
  const who = `signed by ${signer.identity} (issuer ${signer.issuer ?? 'none'})`;
  const trusted = `trusted: ${compiled.map((candidate) => candidate.label).join(', ')}`;
  return identityKnown
    ? reject('issuer', `${who}: the identity is trusted only under another issuer; ${trusted}`)
    : reject('identity', `${who}; ${trusted}`);
}

interface StatementCheck {
  ok: true;
  sha256: string;
  targetChannel?: string;
}

/** The CEP-27 rules on an authenticated DSSE payload. */
export function checkStatement(
  envelope: { payloadType: string; payload: Uint8Array },
  artifact: ArtifactRef,
  channel?: string,
): StatementCheck | Rejection {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    return reject(
      'malformed',
      `the DSSE payload type is ${JSON.stringify(envelope.payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`,
    );
  }
  const statement = parseStatement(envelope.payload);
  if (!statement) return reject('malformed', 'the DSSE payload is not a JSON object (an in-toto statement)');
  if (statement._type !== STATEMENT_TYPE) {
    return reject('statement-type', `statement _type is ${show(statement._type)}, expected ${STATEMENT_TYPE}`);
  }
  if (statement.predicateType !== CEP27_PREDICATE_TYPE) {
    return reject(
      'predicate-type',
      `predicate type is ${show(statement.predicateType)}, expected ${CEP27_PREDICATE_TYPE}`,
    );
  }
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1) {
    const count = Array.isArray(subjects) ? `${subjects.length} subjects` : 'no subject list';
    return reject('subject-count', `the statement has ${count}; CEP 27 requires exactly one`);
  }
  const subject = subjects[0] as unknown;
  const name = isObject(subject) ? subject.name : undefined;
  if (name !== artifact.filename) {
    return reject('subject-name', `the statement is about ${show(name)}, not ${JSON.stringify(artifact.filename)}`);
  }
  const digest = isObject(subject) && isObject(subject.digest) ? subject.digest.sha256 : undefined;
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/i.test(digest)) {
    return reject('subject-digest', `the statement's subject has no sha256 digest (got ${show(digest)})`);
  }
  if (digest.toLowerCase() !== artifact.sha256.toLowerCase()) {
    return reject(
      'subject-digest',
      `${artifact.filename} has sha256 ${artifact.sha256.toLowerCase()}, the statement names ${digest.toLowerCase()}: the file is not the one that was signed`,
    );
  }
  const predicate = statement.predicate;
  let targetChannel: string | undefined;
  if (predicate !== undefined && predicate !== null) {
    if (!isObject(predicate)) return reject('malformed', 'the predicate is not an object');
    if (predicate.targetChannel !== undefined) {
      if (typeof predicate.targetChannel !== 'string') {
        return reject('target-channel', `predicate.targetChannel is ${show(predicate.targetChannel)}, not a URL`);
      }
      targetChannel = predicate.targetChannel;
    }
  }
  if (channel !== undefined) {
    if (targetChannel === undefined) {
      return reject('target-channel', `the statement names no targetChannel; the package came from ${channel}`);
    }
    if (matchChannel(targetChannel, channel) !== 'url') {
      return reject('target-channel', `signed for channel ${targetChannel}, but the package came from ${channel}`);
    }
  }
  return { ok: true, sha256: digest.toLowerCase(), ...(targetChannel !== undefined ? { targetChannel } : {}) };
}

/** sigstore-conformance rule for DSSE: some in-toto subject carries the artifact's sha256. */
function subjectCarriesDigest(payload: Buffer, sha256: string): { ok: true } | Rejection {
  const statement = parseStatement(payload);
  const subjects = statement && Array.isArray(statement.subject) ? statement.subject : [];
  const found = subjects.some(
    (subject: unknown) =>
      isObject(subject) && isObject(subject.digest) && String(subject.digest.sha256).toLowerCase() === sha256,
  );
  return found
    ? { ok: true }
    : reject('subject-digest', `no subject of the statement has the artifact's sha256 ${sha256}`);
}

export function parseStatement(payload: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload).toString('utf8'));
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The earliest time the bundle proves: a transparency-log integrated time or an RFC 3161 timestamp. */
function signingTime(bundle: Bundle): Date | undefined {
  const times: number[] = [];
  for (const entry of bundle.verificationMaterial.tlogEntries) {
    const seconds = Number(entry.integratedTime);
    if (seconds > 0) times.push(seconds * 1000);
  }
  for (const timestamp of bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []) {
    try {
      times.push(RFC3161Timestamp.parse(Buffer.from(timestamp.signedTimestamp)).signingTime.getTime());
    } catch {
      // already verified by the library; an unreadable one would have been rejected
    }
  }
  return times.length > 0 ? new Date(Math.min(...times)) : undefined;
}

/**
 * A v0.1/v0.2 bundle may carry a certificate chain; a self-signed certificate in it would be a
 * trust anchor supplied by the signer (sigstore-conformance `bundle-with-root-cert_fail`).
 */
function selfSignedInChain(bundle: Bundle): string | undefined {
  const material = bundle.verificationMaterial.content;
  if (material.$case !== 'x509CertificateChain') return undefined;
  for (const [index, raw] of material.x509CertificateChain.certificates.entries()) {
    try {
      const certificate = X509Certificate.parse(Buffer.from(raw.rawBytes));
      if (certificate.issuer.equals(certificate.subject) && certificate.verify()) return `certificate ${index + 1}`;
    } catch {
      // unparseable certificates are the library's to reject
    }
  }
  return undefined;
}

/** The SAN of a bundle's leaf certificate, for messages about bundles not verified as keyless. */
function leafIdentity(bundle: Bundle): string | undefined {
  try {
    const entity = toSignedEntity(bundle, Buffer.alloc(0));
    return entity.key.$case === 'certificate' ? entity.key.certificate.subjectAltName : undefined;
  } catch {
    return undefined;
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function reject(code: RejectionCode, reason: string): Rejection {
  return { ok: false, code, reason: reason.replace(/\s*\n\s*/g, ' ') };
}

export function show(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '';
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
