/**
 * PEP 740 attestations of Python distributions, as PyPI publishes them
 * (`/integrity/<project>/<version>/<file>/provenance`):
 *
 *   { version: 1, attestation_bundles: [ { publisher: {kind, repository, workflow…},
 *       attestations: [ { version: 1, verification_material: {certificate, transparency_entries},
 *                         envelope: {statement, signature} } ] } ] }
 *
 * An attestation is a Sigstore bundle taken apart; it is put back together as a v0.3 bundle (the
 * certificate, the first transparency entry, a DSSE envelope of type in-toto, as pypi-attestations
 * does) and goes through the same Sigstore layer as every other bundle. Then the PEP 740 rules:
 * an in-toto v1 statement about exactly one subject, the distribution (its file name parsed and
 * compared as `packaging` does, and its sha256), of a predicate type PyPI knows; and the signing
 * certificate's claims must be those of the Trusted Publisher PyPI names for it (repository,
 * workflow, issuer), read from the certificate's Fulcio extensions as pypi-attestations does, so a
 * reusable workflow signing for its caller is matched on the caller. Every attestation must pass.
 */
import { normalizePypiName } from '../model/package.ts';
import { pep440Scheme } from '../versions/pep440.ts';
import type { FulcioClaims } from './fulcio-claims.ts';
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE } from './statement.ts';
import type { ResolvedTrust } from './trust.ts';
import type { ArtifactRef, Signer, TrustedPublisher } from './types.ts';
import {
  isObject,
  parseStatement,
  type Rejection,
  reject,
  type SigstoreVerified,
  show,
  verifySigstoreBundle,
} from './verify.ts';

export const PYPI_PUBLISH_PREDICATE_TYPE = 'https://docs.pypi.org/attestations/publish/v1';
export const SLSA_PROVENANCE_V1_PREDICATE_TYPE = 'https://slsa.dev/provenance/v1';
const PREDICATE_TYPES = [PYPI_PUBLISH_PREDICATE_TYPE, SLSA_PROVENANCE_V1_PREDICATE_TYPE];

const BUNDLE_V03 = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** The issuer each kind of PyPI Trusted Publisher signs with. */
const ISSUERS: Record<string, string> = {
  GitHub: 'https://token.actions.githubusercontent.com',
  GitLab: 'https://gitlab.com',
  Google: 'https://accounts.google.com',
};

/** A Trusted Publisher as PyPI states it (not authenticated by itself: checked against the certificate). */
export type PypiPublisher = Record<string, unknown> & { kind: string };

export interface Pep740Bundle {
  publisher?: PypiPublisher;
  attestations: unknown[];
}

export interface Pep740Check {
  trust: ResolvedTrust;
  /**
   * Signers the caller trusts (identity or pattern, and issuer), in addition to the publisher PyPI
   * names. Empty: the publisher PyPI names is the one trusted.
   */
  publishers: TrustedPublisher[];
}

export interface Pep740Verified {
  signer: Signer;
  publisher?: PypiPublisher;
  predicateTypes: string[];
  attestations: number;
  claims?: FulcioClaims;
  signedAt?: Date;
  tlogEntry?: { logIndex: string; logId: string };
}

export type Pep740Outcome = { ok: true; verified: Pep740Verified } | Rejection;

/** A provenance object (`attestation_bundles`) or a lone attestation (`verification_material` + `envelope`)? */
export function pep740Kind(json: unknown): 'provenance' | 'attestation' | undefined {
  if (!isObject(json)) return undefined;
  if (Array.isArray(json.attestation_bundles)) return 'provenance';
  if (isObject(json.verification_material) && isObject(json.envelope)) return 'attestation';
  return undefined;
}

/** The attestation bundles of a provenance object; a lone attestation is one bundle without a publisher. */
export function pep740Bundles(json: unknown): { ok: true; bundles: Pep740Bundle[] } | Rejection {
  if (pep740Kind(json) === 'attestation') return { ok: true, bundles: [{ attestations: [json] }] };
  if (!isObject(json) || !Array.isArray(json.attestation_bundles)) {
    return reject('malformed', 'not a PEP 740 provenance object (no attestation_bundles list)');
  }
  if (json.version !== undefined && json.version !== 1) {
    return reject('malformed', `PEP 740 provenance version ${show(json.version)} is not 1`);
  }
  const bundles: Pep740Bundle[] = [];
  for (const [index, entry] of json.attestation_bundles.entries()) {
    if (!isObject(entry) || !Array.isArray(entry.attestations)) {
      return reject('malformed', `attestation_bundles[${index}] has no attestations list`);
    }
    const publisher = entry.publisher;
    if (!isObject(publisher) || typeof publisher.kind !== 'string') {
      return reject('malformed', `attestation_bundles[${index}] names no publisher kind`);
    }
    bundles.push({ publisher: publisher as PypiPublisher, attestations: entry.attestations });
  }
  return { ok: true, bundles };
}

/** A PEP 740 attestation as the Sigstore bundle (v0.3, DSSE) it was taken apart from. */
export function attestationToBundle(attestation: unknown): { ok: true; bundle: Record<string, unknown> } | Rejection {
  if (!isObject(attestation)) return reject('malformed', 'the attestation is not a JSON object');
  if (attestation.version !== 1)
    return reject('malformed', `attestation version ${show(attestation.version)} is not 1`);
  const material = attestation.verification_material;
  const envelope = attestation.envelope;
  if (!isObject(material) || !isObject(envelope)) {
    return reject('malformed', 'the attestation has no verification_material or envelope');
  }
  const { certificate, transparency_entries: entries } = material;
  const { statement, signature } = envelope;
  for (const [name, value] of [
    ['verification_material.certificate', certificate],
    ['envelope.statement', statement],
    ['envelope.signature', signature],
  ] as const) {
    if (typeof value !== 'string' || !isBase64(value))
      return reject('malformed', `${name} is not base64 (got ${show(value)})`);
  }
  if (!Array.isArray(entries) || entries.length === 0 || !isObject(entries[0])) {
    return reject('malformed', 'verification_material.transparency_entries holds no transparency-log entry');
  }
  return {
    ok: true,
    bundle: {
      mediaType: BUNDLE_V03,
      verificationMaterial: { certificate: { rawBytes: certificate }, tlogEntries: [entries[0]] },
      dsseEnvelope: {
        payload: statement,
        payloadType: IN_TOTO_PAYLOAD_TYPE,
        signatures: [{ sig: signature, keyid: '' }],
      },
    },
  };
}

/**
 * Verifies a provenance object (or a lone attestation) for a distribution: every attestation of
 * every bundle must verify and be about the distribution; none at all is a rejection.
 * Throws `CvebuildError` only for unusable configuration (publisher patterns).
 */
export function verifyPep740(json: unknown, dist: ArtifactRef, check: Pep740Check): Pep740Outcome {
  const bundles = pep740Bundles(json);
  if (!bundles.ok) return bundles;
  const total = bundles.bundles.reduce((sum, bundle) => sum + bundle.attestations.length, 0);
  if (total === 0) return reject('malformed', 'the provenance holds no attestation');
  const predicateTypes: string[] = [];
  let first: { verified: SigstoreVerified; publisher?: PypiPublisher } | undefined;
  for (const [bundleIndex, bundle] of bundles.bundles.entries()) {
    for (const [index, attestation] of bundle.attestations.entries()) {
      const where = total === 1 ? '' : `attestation ${bundleIndex + 1}.${index + 1}: `;
      const outcome = verifyAttestation(attestation, dist, bundle.publisher, check);
      if (!outcome.ok) return { ...outcome, reason: `${where}${outcome.reason}` };
      predicateTypes.push(outcome.predicateType);
      first ??= { verified: outcome.verified, ...(bundle.publisher ? { publisher: bundle.publisher } : {}) };
    }
  }
  const { verified, publisher } = first as { verified: SigstoreVerified; publisher?: PypiPublisher };
  return {
    ok: true,
    verified: {
      signer: verified.signer,
      ...(publisher ? { publisher } : {}),
      predicateTypes: [...new Set(predicateTypes)],
      attestations: total,
      ...(verified.claims ? { claims: verified.claims } : {}),
      ...(verified.signedAt ? { signedAt: verified.signedAt } : {}),
      ...(verified.tlogEntry ? { tlogEntry: verified.tlogEntry } : {}),
    },
  };
}

function verifyAttestation(
  attestation: unknown,
  dist: ArtifactRef,
  publisher: PypiPublisher | undefined,
  check: Pep740Check,
): { ok: true; verified: SigstoreVerified; predicateType: string } | Rejection {
  const converted = attestationToBundle(attestation);
  if (!converted.ok) return converted;
  const publishers: ReturnType<typeof issuerOnly> =
    check.publishers.length > 0 ? { ok: true, publishers: check.publishers } : issuerOnly(publisher);
  if (!publishers.ok) return publishers;
  const sigstore = verifySigstoreBundle(converted.bundle, { trust: check.trust, publishers: publishers.publishers });
  if (!sigstore.ok) return sigstore;
  const { verified } = sigstore;
  const statement = checkDistributionStatement(verified.envelope?.payload ?? Buffer.alloc(0), dist);
  if (!statement.ok) return statement;
  if (publisher && check.trust.kind === 'keyless') {
    const matched = matchPypiPublisher(publisher, verified.claims ?? {}, verified.signer);
    if (!matched.ok) return matched;
  }
  return { ok: true, verified, predicateType: statement.predicateType };
}

/** With no signer pinned by the caller, the Sigstore layer checks the issuer of the publisher's kind; its claims are checked after. */
function issuerOnly(publisher: PypiPublisher | undefined): { ok: true; publishers: TrustedPublisher[] } | Rejection {
  if (!publisher) {
    return reject(
      'identity',
      'a lone attestation names no publisher: give the trusted signer (identity and issuer), or verify the provenance PyPI publishes',
    );
  }
  const issuer = ISSUERS[publisher.kind];
  if (!issuer) return reject('identity', `PyPI names a ${show(publisher.kind)} publisher, which cvebuild cannot check`);
  return { ok: true, publishers: [{ identityRegexp: '.+', issuer }] };
}

/**
 * The certificate was issued to the Trusted Publisher PyPI names: as pypi-attestations checks it,
 * the source repository is the publisher's, and the build config (the top-level workflow, which a
 * reusable workflow's certificate also names) is the publisher's workflow at the signed ref or commit.
 */
export function matchPypiPublisher(
  publisher: PypiPublisher,
  claims: FulcioClaims,
  signer: Signer,
): { ok: true } | Rejection {
  const text = (key: string): string => (typeof publisher[key] === 'string' ? (publisher[key] as string) : '');
  const issuer = ISSUERS[publisher.kind];
  if (!issuer) return reject('identity', `PyPI names a ${show(publisher.kind)} publisher, which cvebuild cannot check`);
  if (signer.issuer !== issuer) {
    return reject(
      'issuer',
      `signed under issuer ${signer.issuer ?? 'none'}, but PyPI's ${publisher.kind} publisher signs under ${issuer}`,
    );
  }
  if (publisher.kind === 'Google') {
    return signer.identity === text('email')
      ? { ok: true }
      : reject(
          'identity',
          `signed by ${signer.identity}, but PyPI names the Google publisher ${show(publisher.email)}`,
        );
  }
  const repository = text('repository');
  const host = publisher.kind === 'GitHub' ? 'https://github.com' : 'https://gitlab.com';
  const workflowPath =
    publisher.kind === 'GitHub' ? `/.github/workflows/${text('workflow')}` : `//${text('workflow_filepath')}`;
  const named = `${publisher.kind} ${repository} ${publisher.kind === 'GitHub' ? text('workflow') : text('workflow_filepath')}`;
  if (!repository || workflowPath.endsWith('/'))
    return reject('malformed', `PyPI's publisher is incomplete: ${show(publisher)}`);
  if (claims.sourceRepositoryUri !== `${host}/${repository}`) {
    return reject(
      'identity',
      `the certificate was issued to repository ${claims.sourceRepositoryUri ?? '(none)'}, but PyPI names the publisher ${named}`,
    );
  }
  const refs = [claims.sourceRepositoryDigest, claims.sourceRepositoryRef].filter((ref): ref is string => !!ref);
  if (refs.length === 0)
    return reject('identity', 'the certificate names neither the source commit nor the ref it was signed at');
  if (!refs.some((ref) => claims.buildConfigUri === `${host}/${repository}${workflowPath}@${ref}`)) {
    return reject(
      'identity',
      `the certificate's build config is ${claims.buildConfigUri ?? '(none)'}, not PyPI's publisher ${named} at the signed ref`,
    );
  }
  return { ok: true };
}

/** The PEP 740 statement rules on the authenticated payload. */
export function checkDistributionStatement(
  payload: Uint8Array,
  dist: ArtifactRef,
): { ok: true; predicateType: string } | Rejection {
  const statement = parseStatement(payload);
  if (!statement) return reject('malformed', 'the DSSE payload is not a JSON object (an in-toto statement)');
  if (statement._type !== STATEMENT_TYPE) {
    return reject('statement-type', `statement _type is ${show(statement._type)}, expected ${STATEMENT_TYPE}`);
  }
  const subjects = statement.subject;
  if (!Array.isArray(subjects) || subjects.length !== 1) {
    const count = Array.isArray(subjects) ? `${subjects.length} subjects` : 'no subject list';
    return reject('subject-count', `the statement has ${count}; PEP 740 requires exactly one`);
  }
  const subject = subjects[0] as unknown;
  const name = isObject(subject) ? subject.name : undefined;
  const subjectName = typeof name === 'string' ? parseDistributionName(name) : undefined;
  const distName = parseDistributionName(dist.filename);
  if (!distName) return reject('subject-name', `${JSON.stringify(dist.filename)} is not a wheel or sdist file name`);
  if (!subjectName || !sameDistribution(subjectName, distName)) {
    return reject('subject-name', `the statement is about ${show(name)}, not ${JSON.stringify(dist.filename)}`);
  }
  const digest = isObject(subject) && isObject(subject.digest) ? subject.digest.sha256 : undefined;
  if (typeof digest !== 'string' || digest.toLowerCase() !== dist.sha256.toLowerCase()) {
    return reject(
      'subject-digest',
      `${dist.filename} has sha256 ${dist.sha256.toLowerCase()}, the statement names ${show(digest)}: the file is not the one that was attested`,
    );
  }
  const predicateType = statement.predicateType;
  if (typeof predicateType !== 'string' || !PREDICATE_TYPES.includes(predicateType)) {
    return reject(
      'predicate-type',
      `predicate type ${show(predicateType)} is not one PyPI knows (${PREDICATE_TYPES.join(', ')})`,
    );
  }
  return { ok: true, predicateType };
}

/** A distribution file name parsed as `packaging` does (`parse_wheel_filename`, `parse_sdist_filename`). */
export interface DistributionName {
  kind: 'wheel' | 'sdist';
  /** PEP 503 normalized. */
  name: string;
  version: string;
  build: string;
  /** Wheels: the expanded tag set (`py2.py3-none-any` is two tags), sorted. */
  tags: string[];
}

export function parseDistributionName(filename: string): DistributionName | undefined {
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -'.whl'.length).split('-');
    if (parts.length !== 5 && parts.length !== 6) return undefined;
    const [name, version] = parts as [string, string];
    const [python, abi, platform] = parts.slice(-3) as [string, string, string];
    const build = parts.length === 6 ? (parts[2] as string) : '';
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/.test(name) || !isVersion(version)) return undefined;
    if (build && !/^\d/.test(build)) return undefined;
    const tags = new Set<string>();
    for (const py of python.split('.'))
      for (const a of abi.split('.')) for (const p of platform.split('.')) tags.add(`${py}-${a}-${p}`.toLowerCase());
    return { kind: 'wheel', name: normalizePypiName(name), version, build, tags: [...tags].sort() };
  }
  const extension = ['.tar.gz', '.zip'].find((ext) => filename.endsWith(ext));
  if (!extension) return undefined;
  const stem = filename.slice(0, -extension.length);
  const dash = stem.lastIndexOf('-');
  const version = stem.slice(dash + 1);
  if (dash <= 0 || !isVersion(version)) return undefined;
  return { kind: 'sdist', name: normalizePypiName(stem.slice(0, dash)), version, build: '', tags: [] };
}

/** The same distribution: names normalized, versions equal under PEP 440 (`1.0` is `1.0.0`), the same tag set. */
export function sameDistribution(a: DistributionName, b: DistributionName): boolean {
  return (
    a.kind === b.kind &&
    a.name === b.name &&
    pep440Scheme.compare(a.version, b.version) === 0 &&
    a.build === b.build &&
    a.tags.join(' ') === b.tags.join(' ')
  );
}

function isVersion(text: string): boolean {
  try {
    return pep440Scheme.isValid(text);
  } catch {
    return false;
  }
}

function isBase64(text: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0 && text.length > 0;
}
