/**
 * Verifying a build's SLSA Provenance v1 bundle against the archives it says it built: the
 * Sigstore layer exactly as for CEP 27 (`verifySigstoreBundle`: keyed with the trusted public key,
 * keyless with the trusted identity and issuer), then the statement: an in-toto Statement v1 with
 * the SLSA provenance predicate, whose subjects include every archive given, by sha256. A subject's
 * name is what the build called the file; the digest is what binds it, so a renamed copy verifies.
 */
import { SLSA_PROVENANCE_PREDICATE_TYPE } from './provenance.ts';
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE } from './statement.ts';
import { resolveTrust } from './trust.ts';
import type { ArtifactRef, Signer, VerifyPolicy } from './types.ts';
import { isObject, parseStatement, type Rejection, reject, show, verifySigstoreBundle } from './verify.ts';

/** What a verified provenance says, for display: the fields a reader decides on, as signed. */
export interface ProvenanceDetails {
  /** Each archive given, and the subject that names its digest. */
  matched: { artifact: ArtifactRef; subject: string }[];
  subjects: { name: string; sha256: string }[];
  buildType: string;
  builder: { id: string; version?: Record<string, unknown> };
  externalParameters: Record<string, unknown>;
  internalParameters?: Record<string, unknown>;
  resolvedDependencies: Record<string, unknown>[];
  invocationId?: string;
  startedOn?: string;
  finishedOn?: string;
  keyed: boolean;
  signedAt?: Date;
  tlogEntry?: { logIndex: string; logId: string };
}

export type ProvenanceOutcome = Rejection | { ok: true; signer: Signer; details: ProvenanceDetails };

/**
 * The predicate type a bundle's DSSE payload declares, read before anything is verified: only to
 * choose which rules verify it (every rule then runs on the authenticated payload).
 */
export function declaredPredicateType(bundle: unknown): string | undefined {
  if (isBareStatement(bundle)) return typeof bundle.predicateType === 'string' ? bundle.predicateType : undefined;
  if (!isObject(bundle) || !isObject(bundle.dsseEnvelope)) return undefined;
  const payload = bundle.dsseEnvelope.payload;
  if (typeof payload !== 'string') return undefined;
  const statement = parseStatement(Buffer.from(payload, 'base64'));
  return typeof statement?.predicateType === 'string' ? statement.predicateType : undefined;
}

export function isProvenanceBundle(bundle: unknown): boolean {
  return declaredPredicateType(bundle) === SLSA_PROVENANCE_PREDICATE_TYPE;
}

/** An in-toto statement as it is, outside any envelope: what a build not asked to sign writes. */
function isBareStatement(value: unknown): value is Record<string, unknown> {
  return isObject(value) && value._type === STATEMENT_TYPE;
}

/**
 * Verifies a provenance bundle (parsed JSON) for `artifacts` (at least one) under `policy` (its
 * `channel` is CEP 27's and must be unset). Throws `CvebuildError` for unusable trust material.
 */
export function verifyProvenance(
  bundle: unknown,
  artifacts: readonly ArtifactRef[],
  policy: Pick<VerifyPolicy, 'trust' | 'publishers'>,
): ProvenanceOutcome {
  if (isBareStatement(bundle))
    return reject(
      'malformed',
      'an unsigned in-toto statement, not a Sigstore bundle: there is no signature to verify (the build was not asked to sign)',
    );
  const sigstore = verifySigstoreBundle(bundle, { trust: resolveTrust(policy.trust), publishers: policy.publishers });
  if (!sigstore.ok) return sigstore;
  const { verified } = sigstore;
  if (!verified.envelope) return reject('malformed', 'the bundle holds a message signature, not a DSSE provenance');
  const { payloadType, payload } = verified.envelope;
  if (payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return reject('malformed', `the DSSE payload type is ${JSON.stringify(payloadType)}, not ${IN_TOTO_PAYLOAD_TYPE}`);
  const statement = parseStatement(payload);
  if (!statement) return reject('malformed', 'the DSSE payload is not a JSON object (an in-toto statement)');
  if (statement._type !== STATEMENT_TYPE)
    return reject('statement-type', `statement _type is ${show(statement._type)}, expected ${STATEMENT_TYPE}`);
  if (statement.predicateType !== SLSA_PROVENANCE_PREDICATE_TYPE)
    return reject(
      'predicate-type',
      `predicate type is ${show(statement.predicateType)}, expected ${SLSA_PROVENANCE_PREDICATE_TYPE}`,
    );
  const subjects = readSubjects(statement.subject);
  if (!subjects.ok) return subjects;
  const predicate = readPredicate(statement.predicate);
  if (!predicate.ok) return predicate;
  const matched: ProvenanceDetails['matched'] = [];
  for (const artifact of artifacts) {
    const sha256 = artifact.sha256.toLowerCase();
    const subject = subjects.list.find((candidate) => candidate.sha256 === sha256);
    if (!subject)
      return reject(
        'subject-digest',
        `${artifact.filename} has sha256 ${sha256}; no subject of the provenance has it (${subjects.list.map((s) => s.name).join(', ')}): the file is not one this build produced`,
      );
    matched.push({ artifact: { filename: artifact.filename, sha256 }, subject: subject.name });
  }
  return {
    ok: true,
    signer: verified.signer,
    details: {
      matched,
      subjects: subjects.list,
      ...predicate.fields,
      keyed: verified.keyed,
      ...(verified.signedAt ? { signedAt: verified.signedAt } : {}),
      ...(verified.tlogEntry ? { tlogEntry: verified.tlogEntry } : {}),
    },
  };
}

function readSubjects(value: unknown): { ok: true; list: { name: string; sha256: string }[] } | Rejection {
  if (!Array.isArray(value) || value.length === 0)
    return reject('subject-count', 'the provenance names no subject: it is about no artifact');
  const list: { name: string; sha256: string }[] = [];
  for (const [index, subject] of value.entries()) {
    const sha256 = isObject(subject) && isObject(subject.digest) ? subject.digest.sha256 : undefined;
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256))
      return reject('subject-digest', `subject ${index + 1} has no sha256 digest (got ${show(sha256)})`);
    const name = isObject(subject) && typeof subject.name === 'string' ? subject.name : '';
    list.push({ name, sha256: sha256.toLowerCase() });
  }
  return { ok: true, list };
}

type PredicateFields = Pick<
  ProvenanceDetails,
  | 'buildType'
  | 'builder'
  | 'externalParameters'
  | 'internalParameters'
  | 'resolvedDependencies'
  | 'invocationId'
  | 'startedOn'
  | 'finishedOn'
>;

/** The fields SLSA v1 requires (buildType, externalParameters, builder.id), and the optional ones when well formed. */
function readPredicate(value: unknown): { ok: true; fields: PredicateFields } | Rejection {
  const definition = isObject(value) ? value.buildDefinition : undefined;
  const run = isObject(value) ? value.runDetails : undefined;
  if (!isObject(definition) || !isObject(run))
    return reject('malformed', 'the SLSA provenance has no buildDefinition or no runDetails');
  if (typeof definition.buildType !== 'string' || definition.buildType === '')
    return reject('malformed', 'the SLSA provenance has no buildDefinition.buildType');
  if (!isObject(definition.externalParameters))
    return reject('malformed', 'the SLSA provenance has no buildDefinition.externalParameters object');
  const builder = run.builder;
  if (!isObject(builder) || typeof builder.id !== 'string' || builder.id === '')
    return reject('malformed', 'the SLSA provenance has no runDetails.builder.id');
  const dependencies = definition.resolvedDependencies;
  if (dependencies !== undefined && !Array.isArray(dependencies))
    return reject('malformed', 'buildDefinition.resolvedDependencies is not a list');
  const metadata = isObject(run.metadata) ? run.metadata : {};
  const text = (field: unknown) => (typeof field === 'string' ? field : undefined);
  const invocationId = text(metadata.invocationId);
  const startedOn = text(metadata.startedOn);
  const finishedOn = text(metadata.finishedOn);
  return {
    ok: true,
    fields: {
      buildType: definition.buildType,
      builder: { id: builder.id, ...(isObject(builder.version) ? { version: builder.version } : {}) },
      externalParameters: definition.externalParameters,
      ...(isObject(definition.internalParameters) ? { internalParameters: definition.internalParameters } : {}),
      resolvedDependencies: (dependencies ?? []).filter(isObject),
      ...(invocationId !== undefined ? { invocationId } : {}),
      ...(startedOn !== undefined ? { startedOn } : {}),
      ...(finishedOn !== undefined ? { finishedOn } : {}),
    },
  };
}
