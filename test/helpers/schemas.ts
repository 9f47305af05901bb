/**
 * Validators for the machine-readable reports: CycloneDX 1.6 with the schema the CycloneDX library
 * ships (always available), SARIF 2.1.0 with the official OASIS schema from the shared corpus, and
 * SPDX 2.3 by the spec's rules, checked here. Each returns the errors as lines; empty means valid.
 */
import { readFileSync } from 'node:fs';
import * as CDX from '@cyclonedx/cyclonedx-library';
import ajvDraft04, { type ErrorObject, type ValidateFunction } from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import parseSpdx from 'spdx-expression-parse';
import { corpus } from './paths.ts';

let cycloneDx: CDX.Validation.JsonStrictValidator | undefined;

export async function cycloneDxErrors(json: string): Promise<string[]> {
  cycloneDx ??= new CDX.Validation.JsonStrictValidator(CDX.Spec.Spec1dot6.version);
  const errors = (await cycloneDx.validate(json)) as ErrorObject[] | null;
  return (errors ?? []).map(describe);
}

// CommonJS packages: Node hands ESM the whole module.exports, whose `default` is the export.
const Ajv = ajvDraft04.default;
const addFormats = ajvFormats.default;

let sarif: ValidateFunction | undefined;

/** Needs ../shared/corpus (the schema is not vendored); corpus tests only. */
export function sarifErrors(document: unknown): string[] {
  if (!sarif) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    sarif = ajv.compile(JSON.parse(readFileSync(corpus('schemas/sarif-schema-2.1.0.json'), 'utf8')));
  }
  const validate = sarif;
  return validate(document) ? [] : (validate.errors ?? []).map(describe);
}

function describe(error: ErrorObject): string {
  return `${error.instancePath || '/'} ${error.keyword}: ${error.message ?? ''} ${JSON.stringify(error.params)}`;
}

const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;
const CHECKSUM_LENGTH: Record<string, number> = { SHA1: 40, SHA256: 64, SHA512: 128, MD5: 32 };
const RELATIONSHIP_TYPES = new Set(['DESCRIBES', 'DESCRIBED_BY', 'CONTAINS', 'DEPENDS_ON', 'DEPENDENCY_OF', 'OTHER']);

/**
 * The SPDX 2.3 rules the JSON output must meet (no schema is available offline): the document
 * creation fields (spec clause 6), package fields (clause 7: SPDXID, name, downloadLocation,
 * checksums, license expressions whose LicenseRefs are declared per clause 10), and relationships
 * between elements that exist (clause 11).
 */
export function spdxErrors(document: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const expect = (ok: boolean, message: string) => {
    if (!ok) errors.push(message);
  };
  expect(document.spdxVersion === 'SPDX-2.3', 'spdxVersion is SPDX-2.3');
  expect(document.dataLicense === 'CC0-1.0', 'dataLicense is CC0-1.0');
  expect(document.SPDXID === 'SPDXRef-DOCUMENT', 'SPDXID is SPDXRef-DOCUMENT');
  expect(typeof document.name === 'string' && document.name !== '', 'document name');
  const namespace = String(document.documentNamespace ?? '');
  expect(
    /^[a-z][a-z0-9+.-]*:\/\/[^#\s]+$/i.test(namespace),
    `documentNamespace is an absolute URI without #: ${namespace}`,
  );
  const creation = (document.creationInfo ?? {}) as { created?: unknown; creators?: unknown };
  expect(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(String(creation.created)), 'created is YYYY-MM-DDThh:mm:ssZ');
  const creators = Array.isArray(creation.creators) ? creation.creators : [];
  expect(creators.length > 0, 'at least one creator');
  for (const creator of creators) expect(/^(Tool|Organization|Person): \S/.test(String(creator)), `creator ${creator}`);

  const declaredRefs = new Set(
    ((document.hasExtractedLicensingInfos ?? []) as { licenseId?: string; extractedText?: string }[]).map((info) => {
      expect(/^LicenseRef-[A-Za-z0-9.-]+$/.test(String(info.licenseId)), `extracted licenseId ${info.licenseId}`);
      expect(typeof info.extractedText === 'string' && info.extractedText !== '', `extractedText of ${info.licenseId}`);
      return String(info.licenseId);
    }),
  );
  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  const packages = (Array.isArray(document.packages) ? document.packages : []) as Record<string, unknown>[];
  for (const [index, pkg] of packages.entries()) {
    const where = `packages[${index}]`;
    const id = String(pkg.SPDXID);
    expect(SPDX_ID.test(id), `${where}.SPDXID ${id}`);
    expect(!ids.has(id), `${where}.SPDXID ${id} is unique`);
    ids.add(id);
    expect(typeof pkg.name === 'string' && pkg.name !== '', `${where}.name`);
    const download = String(pkg.downloadLocation ?? '');
    expect(
      download === 'NONE' || download === 'NOASSERTION' || /^[a-z][a-z0-9+.-]*:\S+$/i.test(download),
      `${where}.downloadLocation ${download}`,
    );
    expect(pkg.filesAnalyzed === false || pkg.packageVerificationCode !== undefined, `${where} verification code`);
    for (const checksum of (pkg.checksums ?? []) as { algorithm: string; checksumValue: string }[]) {
      const length = CHECKSUM_LENGTH[checksum.algorithm];
      expect(
        length !== undefined && new RegExp(`^[0-9a-f]{${length}}$`).test(checksum.checksumValue),
        `${where} checksum ${checksum.algorithm}`,
      );
    }
    for (const field of ['licenseConcluded', 'licenseDeclared'] as const) {
      if (pkg[field] === undefined) continue;
      const problem = licenseProblem(String(pkg[field]), declaredRefs);
      expect(problem === undefined, `${where}.${field}: ${problem}`);
    }
    for (const ref of (pkg.externalRefs ?? []) as Record<string, string>[]) {
      expect(ref.referenceCategory === 'PACKAGE-MANAGER' && ref.referenceType === 'purl', `${where} externalRef type`);
      expect(/^pkg:[a-z]+\/\S+$/.test(ref.referenceLocator ?? ''), `${where} purl ${ref.referenceLocator}`);
    }
  }
  const relationships = (Array.isArray(document.relationships) ? document.relationships : []) as Record<
    string,
    string
  >[];
  expect(
    relationships.some((r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES'),
    'the document DESCRIBES something',
  );
  for (const r of relationships) {
    expect(RELATIONSHIP_TYPES.has(r.relationshipType ?? ''), `relationship type ${r.relationshipType}`);
    expect(ids.has(r.spdxElementId ?? ''), `relationship from unknown ${r.spdxElementId}`);
    expect(ids.has(r.relatedSpdxElement ?? ''), `relationship to unknown ${r.relatedSpdxElement}`);
  }
  return errors;
}

function licenseProblem(expression: string, declaredRefs: Set<string>): string | undefined {
  if (expression === 'NONE' || expression === 'NOASSERTION') return undefined;
  let refs: string[];
  try {
    refs = expression.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [];
    parseSpdx(expression);
  } catch {
    return `not an SPDX expression: ${expression}`;
  }
  const undeclared = refs.filter((ref) => !declaredRefs.has(ref));
  return undeclared.length > 0 ? `undeclared ${undeclared.join(', ')}` : undefined;
}

let slsa: ValidateFunction | undefined;

/**
 * An in-toto Statement v1 with an SLSA Provenance v1 predicate, checked against a JSON schema
 * written here from the two specifications (no schema for either is published or in the corpus):
 * in-toto's Statement and ResourceDescriptor (https://github.com/in-toto/attestation/tree/main/spec/v1)
 * and SLSA's provenance fields and their REQUIRED markers (https://slsa.dev/spec/v1.1/provenance).
 */
export function slsaProvenanceErrors(statement: unknown): string[] {
  if (!slsa) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    slsa = ajv.compile(SLSA_PROVENANCE_V1_SCHEMA);
  }
  const validate = slsa;
  return validate(statement) ? [] : (validate.errors ?? []).map(describe);
}

const DIGEST_SET = {
  type: 'object',
  minProperties: 1,
  additionalProperties: { type: 'string', pattern: '^[0-9a-fA-F]+$' },
  properties: { sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
};

// ResourceDescriptor: at least one of uri, digest, content
const RESOURCE_DESCRIPTOR = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    uri: { type: 'string', format: 'uri' },
    digest: DIGEST_SET,
    content: { type: 'string' },
    downloadLocation: { type: 'string', format: 'uri' },
    mediaType: { type: 'string' },
    annotations: { type: 'object' },
  },
  anyOf: [{ required: ['uri'] }, { required: ['digest'] }, { required: ['content'] }],
};

const TIMESTAMP = { type: 'string', pattern: '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z$' };

const SLSA_PROVENANCE_V1_SCHEMA = {
  type: 'object',
  required: ['_type', 'subject', 'predicateType', 'predicate'],
  properties: {
    _type: { enum: ['https://in-toto.io/Statement/v1'] },
    // a statement's subjects are named by digest
    subject: {
      type: 'array',
      minItems: 1,
      items: { allOf: [RESOURCE_DESCRIPTOR, { required: ['digest'] }] },
    },
    predicateType: { enum: ['https://slsa.dev/provenance/v1'] },
    predicate: {
      type: 'object',
      required: ['buildDefinition', 'runDetails'],
      properties: {
        buildDefinition: {
          type: 'object',
          required: ['buildType', 'externalParameters'],
          properties: {
            buildType: { type: 'string', format: 'uri' },
            externalParameters: { type: 'object' },
            internalParameters: { type: 'object' },
            resolvedDependencies: { type: 'array', items: RESOURCE_DESCRIPTOR },
          },
        },
        runDetails: {
          type: 'object',
          required: ['builder'],
          properties: {
            builder: {
              type: 'object',
              required: ['id'],
              properties: {
                id: { type: 'string', format: 'uri' },
                version: { type: 'object', additionalProperties: { type: 'string' } },
                builderDependencies: { type: 'array', items: RESOURCE_DESCRIPTOR },
              },
            },
            metadata: {
              type: 'object',
              properties: { invocationId: { type: 'string' }, startedOn: TIMESTAMP, finishedOn: TIMESTAMP },
            },
            byproducts: { type: 'array', items: RESOURCE_DESCRIPTOR },
          },
        },
      },
    },
  },
};
