/**
 * The build's SLSA Provenance v1: the statement against the SLSA v1 shape, signed keyed and keyless
 * (the loopback Sigstore mock) with the same code as CEP-27 attestations, and verified against the
 * archives it names: what passes, and what each broken rule rejects.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the tests read and forge bundle JSON field by field
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair } from '../../../src/attest/keys.ts';
import {
  CVEBUILD_BUILD_TYPE,
  localBuilderId,
  type ProvenanceInput,
  provenanceStatement,
  SLSA_PROVENANCE_PREDICATE_TYPE,
} from '../../../src/attest/provenance.ts';
import { sha256File, signStatement, signStatementFor } from '../../../src/attest/sign.ts';
import type { ArtifactRef, VerifyPolicy } from '../../../src/attest/types.ts';
import { isProvenanceBundle, verifyProvenance } from '../../../src/attest/verify-provenance.ts';
import { slsaProvenanceErrors } from '../../helpers/schemas.ts';
import {
  keylessSigning,
  MOCK_IDENTITY,
  MOCK_ISSUER,
  type MockSigstore,
  startMockSigstore,
} from '../../helpers/sigstore-mock.ts';
import { writeTemp } from '../../helpers/temp.ts';

const key = generateKeyPair();
const keyed: Pick<VerifyPolicy, 'trust' | 'publishers'> = {
  trust: { kind: 'public-key', pem: key.publicKeyPem },
  publishers: [],
};

async function archive(name: string): Promise<ArtifactRef> {
  const file = writeTemp(`out/${name}`, randomBytes(1024));
  return { filename: name, sha256: await sha256File(file) };
}

function input(artifacts: ArtifactRef[]): ProvenanceInput {
  return {
    artifacts,
    recipe: { path: '/recipes/demo/recipe.yaml', sha256: 'a'.repeat(64) },
    targetPlatform: 'linux-64',
    channels: ['https://prefix.dev/conda-forge', 'https://prefix.dev/conda-forge'],
    publishChannel: 'https://prefix.dev/my-channel/',
    buildCommand: 'rattler-build build --recipe /recipes/demo',
    passEnv: ['CI', 'BUILD_MARKS', 'CI'],
    timeoutMs: 3_600_000,
    offline: true,
    dependencies: [
      { name: 'recipe.yaml', uri: 'file:///recipes/demo/recipe.yaml', digest: { sha256: 'a'.repeat(64) } },
      {
        name: 'python-3.13.11-hc97d973_100_cp313.conda',
        uri: 'https://prefix.dev/conda-forge/linux-64/python-3.13.11-hc97d973_100_cp313.conda',
        digest: { sha256: 'b'.repeat(64), md5: 'c'.repeat(32) },
      },
      { name: 'my-pkg-0.1.0', uri: 'pkg:conda/my-pkg@0.1.0' },
    ],
    invocationId: 'd'.repeat(64),
    startedOn: new Date('2026-05-01T10:00:00.250Z'),
    finishedOn: new Date('2026-05-01T10:02:30.999Z'),
  };
}

const payloadOf = (bundle: any) => JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));

/** A copy of the bundle with its DSSE payload edited, the signature left as it was. */
function withPayload(bundle: unknown, edit: (statement: Record<string, any>) => void): unknown {
  const copy = structuredClone(bundle) as { dsseEnvelope: { payload: string } };
  const statement = payloadOf(copy);
  edit(statement);
  copy.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  return copy;
}

describe('SLSA provenance statement', () => {
  it('has the SLSA v1 shape: every archive a subject, our build type and local builder, whole-second UTC times', async () => {
    const artifacts = [await archive('demo-1.0-h0_0.conda'), await archive('demo-1.0-h0_0.tar.bz2')];
    const statement = provenanceStatement(input(artifacts));
    assert.deepEqual(slsaProvenanceErrors(statement), []);
    assert.equal(statement.predicateType, SLSA_PROVENANCE_PREDICATE_TYPE);
    assert.deepEqual(
      statement.subject,
      artifacts.map((artifact) => ({ name: artifact.filename, digest: { sha256: artifact.sha256 } })),
    );
    const { buildDefinition, runDetails } = statement.predicate;
    assert.equal(buildDefinition.buildType, CVEBUILD_BUILD_TYPE);
    assert.deepEqual(buildDefinition.externalParameters.channels, ['https://prefix.dev/conda-forge']);
    assert.equal(buildDefinition.externalParameters.publishChannel, 'https://prefix.dev/my-channel');
    assert.deepEqual(buildDefinition.internalParameters.passEnv, ['BUILD_MARKS', 'CI']);
    assert.equal(buildDefinition.internalParameters.timeoutSeconds, 3600);
    assert.equal(runDetails.builder.id, localBuilderId());
    assert.match(runDetails.builder.id, /\/blob\/v\d+\.\d+\.\d+[^/]*\/docs\/build-provenance\.md#local-builder$/);
    assert.deepEqual(runDetails.metadata, {
      invocationId: 'd'.repeat(64),
      startedOn: '2026-05-01T10:00:00Z',
      finishedOn: '2026-05-01T10:02:30Z',
    });
  });

  it('fails the SLSA v1 shape when a required field is gone or a dependency names nothing', async () => {
    const statement = provenanceStatement(input([await archive('demo-1.0-h0_0.conda')])) as any;
    const broken = structuredClone(statement);
    delete broken.predicate.buildDefinition.externalParameters;
    assert.ok(slsaProvenanceErrors(broken).some((error) => error.includes('externalParameters')));
    const nameless = structuredClone(statement);
    nameless.predicate.buildDefinition.resolvedDependencies.push({ name: 'just a name' });
    assert.notDeepEqual(slsaProvenanceErrors(nameless), []);
    const noBuilder = structuredClone(statement);
    delete noBuilder.predicate.runDetails.builder.id;
    assert.notDeepEqual(slsaProvenanceErrors(noBuilder), []);
  });
});

describe('signed provenance, keyed', () => {
  it('signs as the CEP-27 attestations are signed and verifies against every archive it names', async () => {
    const artifacts = [await archive('demo-1.0-h0_0.conda'), await archive('demo-1.0-h0_0.tar.bz2')];
    const statement = provenanceStatement(input(artifacts));
    const signed = await signStatement(statement, { keyed: { privateKeyPem: key.privateKeyPem } });
    const bundle = signed.bundle as any;
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
    assert.deepEqual(payloadOf(bundle), statement);
    assert.ok(isProvenanceBundle(bundle));
    const outcome = verifyProvenance(bundle, artifacts, keyed);
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    assert.equal(outcome.signer.identity, signed.signer.identity);
    assert.deepEqual(
      outcome.details.matched.map((match) => match.subject),
      ['demo-1.0-h0_0.conda', 'demo-1.0-h0_0.tar.bz2'],
    );
    assert.equal(outcome.details.builder.id, localBuilderId());
    assert.equal(outcome.details.resolvedDependencies.length, 3);
    // one archive of the two is checked the same way
    assert.ok(verifyProvenance(bundle, [artifacts[1] as ArtifactRef], keyed).ok);
  });

  it('rejects an archive that is not a subject, an edited subject digest, another key, and a CEP-27 bundle', async () => {
    const artifacts = [await archive('demo-1.0-h0_0.conda')];
    const signed = await signStatement(provenanceStatement(input(artifacts)), {
      keyed: { privateKeyPem: key.privateKeyPem },
    });
    const stranger = await archive('demo-1.0-h0_0.conda');
    const notBuilt = verifyProvenance(signed.bundle, [stranger], keyed);
    assert.equal(notBuilt.ok, false);
    assert.equal(notBuilt.ok || notBuilt.code, 'subject-digest');
    assert.match(notBuilt.ok ? '' : notBuilt.reason, /not one this build produced/);

    // the subject re-pointed at the stranger: the signature no longer covers the payload
    const tampered = withPayload(signed.bundle, (statement) => {
      statement.subject[0].digest.sha256 = stranger.sha256;
    });
    const forged = verifyProvenance(tampered, [stranger], keyed);
    assert.equal(forged.ok || forged.code, 'signature');

    const other = generateKeyPair();
    const wrongKey = verifyProvenance(signed.bundle, artifacts, {
      trust: { kind: 'public-key', pem: other.publicKeyPem },
      publishers: [],
    });
    assert.equal(wrongKey.ok || wrongKey.code, 'signature');

    const cep27 = await signStatementFor(artifacts[0] as ArtifactRef, {
      channel: 'https://prefix.dev/my-channel',
      keyed: { privateKeyPem: key.privateKeyPem },
    });
    assert.equal(isProvenanceBundle(cep27.bundle), false);
    const notProvenance = verifyProvenance(cep27.bundle, artifacts, keyed);
    assert.equal(notProvenance.ok || notProvenance.code, 'predicate-type');
  });

  it('says an unsigned statement has no signature to verify, and rejects a provenance without subjects or builder', async () => {
    const artifacts = [await archive('demo-1.0-h0_0.conda')];
    const statement = provenanceStatement(input(artifacts));
    assert.ok(isProvenanceBundle(statement));
    const bare = verifyProvenance(statement, artifacts, keyed);
    assert.equal(bare.ok || bare.code, 'malformed');
    assert.match(bare.ok ? '' : bare.reason, /unsigned in-toto statement/);

    const how = { keyed: { privateKeyPem: key.privateKeyPem } };
    const empty = verifyProvenance((await signStatement({ ...statement, subject: [] }, how)).bundle, artifacts, keyed);
    assert.equal(empty.ok || empty.code, 'subject-count');
    const builderless = structuredClone(statement) as any;
    delete builderless.predicate.runDetails.builder;
    const noBuilder = verifyProvenance((await signStatement(builderless, how)).bundle, artifacts, keyed);
    assert.equal(noBuilder.ok || noBuilder.code, 'malformed');
    assert.match(noBuilder.ok ? '' : noBuilder.reason, /builder\.id/);
  });
});

describe('signed provenance, keyless (mock Sigstore on loopback)', () => {
  let mock: MockSigstore;
  before(async () => {
    mock = await startMockSigstore();
  });
  after(() => mock.close());

  it('signs with a Fulcio certificate, logs in Rekor, and verifies for the trusted identity only', async () => {
    const artifacts = [await archive('demo-1.0-h0_0.conda')];
    const signed = await signStatement(provenanceStatement(input(artifacts)), {
      keyless: keylessSigning(mock),
    });
    assert.equal(signed.signer.identity, MOCK_IDENTITY);
    assert.equal(signed.signer.issuer, MOCK_ISSUER);
    assert.ok(signed.logIndex !== undefined);
    const trust = { kind: 'trusted-root' as const, path: mock.trustedRootPath };
    const outcome = verifyProvenance(signed.bundle, artifacts, {
      trust,
      publishers: [{ identity: MOCK_IDENTITY, issuer: MOCK_ISSUER }],
    });
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    assert.equal(outcome.signer.identity, MOCK_IDENTITY);
    assert.equal(outcome.details.keyed, false);
    assert.equal(outcome.details.tlogEntry?.logIndex, signed.logIndex);
    const someoneElse = verifyProvenance(signed.bundle, artifacts, {
      trust,
      publishers: [
        { identity: 'https://github.com/other/repo/.github/workflows/x.yml@refs/heads/main', issuer: MOCK_ISSUER },
      ],
    });
    assert.equal(someoneElse.ok || someoneElse.code, 'identity');
  });
});
