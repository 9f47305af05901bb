/**
 * Keyless signing and verification against @sigstore/mock's Fulcio and Rekor served on 127.0.0.1,
 * with a fake OIDC token: the whole Sigstore flow (certificate, SCT, Rekor entry with inclusion
 * proof and SET) on loopback only.
 */
// biome-ignore-all lint/suspicious/noExplicitAny: the tests read and forge bundle JSON field by field
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sha256File, signArtifact } from '../../../src/attest/sign.ts';
import type { VerifyPolicy } from '../../../src/attest/types.ts';
import { verifyAttestation } from '../../../src/attest/verify.ts';
import { CvebuildError } from '../../../src/errors.ts';
import {
  fakeIdentityToken,
  MOCK_IDENTITY,
  MOCK_ISSUER,
  type MockSigstore,
  mockVerifyPolicy,
  startMockSigstore,
} from '../../helpers/sigstore-mock.ts';
import { writeTemp } from '../../helpers/temp.ts';

const CHANNEL = 'https://prefix.dev/my-channel';

describe('keyless attestations (mock Sigstore on loopback)', () => {
  let mock: MockSigstore;
  let policy: VerifyPolicy;
  before(async () => {
    mock = await startMockSigstore();
    policy = mockVerifyPolicy(mock, CHANNEL);
  });
  after(() => mock.close());

  const sign = (file: string, token = fakeIdentityToken()) =>
    signArtifact(file, {
      channel: CHANNEL,
      keyless: { fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityToken: token },
    });

  for (const name of ['demo-1.0-h0_0.conda', 'demo-1.0-h0_0.tar.bz2']) {
    it(`signs ${name} and verifies it with an identity + issuer policy`, async () => {
      const file = writeTemp(`pkg/${name}`, randomBytes(10_000));
      const signed = await sign(file);
      const bundle = signed.bundle as any;
      assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
      assert.ok(bundle.verificationMaterial.certificate.rawBytes, 'v0.3: a single leaf certificate');
      assert.equal(bundle.verificationMaterial.tlogEntries.length, 1);
      assert.equal(bundle.verificationMaterial.tlogEntries[0].kindVersion.kind, 'dsse');
      assert.ok(bundle.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint.envelope);
      assert.deepEqual(signed.signer, { identity: MOCK_IDENTITY, issuer: MOCK_ISSUER });
      assert.equal(signed.logIndex, bundle.verificationMaterial.tlogEntries[0].logIndex);
      assert.ok((mock.requests.get('/api/v2/signingCert') ?? 0) >= 1);
      assert.ok((mock.requests.get('/api/v1/log/entries') ?? 0) >= 1);

      const outcome = verifyAttestation(signed.bundle, { filename: name, sha256: await sha256File(file) }, policy);
      assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.code}: ${outcome.reason}`);
      assert.deepEqual(outcome.signer, { identity: MOCK_IDENTITY, issuer: MOCK_ISSUER });
      assert.equal(outcome.targetChannel, CHANNEL);
      assert.equal(outcome.details.keyed, false);
      assert.ok(outcome.details.signedAt && Math.abs(outcome.details.signedAt.getTime() - Date.now()) < 120_000);
      assert.equal(outcome.details.tlogEntry?.logIndex, signed.logIndex);
    });
  }

  it('rejects a tampered package, another identity, issuer, channel or file name, each precisely', async () => {
    const file = writeTemp('pkg/zlib-1.3.1-h0_0.conda', randomBytes(10_000));
    const signed = await sign(file);
    const artifact = signed.artifact;
    const rejection = (outcome: ReturnType<typeof verifyAttestation>) => {
      assert.ok(!outcome.ok, 'must be rejected');
      assert.ok(!outcome.reason.includes('\n'));
      return outcome;
    };

    const tampered = rejection(verifyAttestation(signed.bundle, { ...artifact, sha256: 'f'.repeat(64) }, policy));
    assert.equal(tampered.code, 'subject-digest');
    assert.equal(
      tampered.reason,
      `zlib-1.3.1-h0_0.conda has sha256 ${'f'.repeat(64)}, the statement names ${artifact.sha256}: the file is not the one that was signed`,
    );

    const evil = 'https://github.com/evil/zlib-feedstock/.github/workflows/build.yml@refs/heads/main';
    const wrongIdentity = rejection(
      verifyAttestation(signed.bundle, artifact, { ...policy, publishers: [{ identity: evil, issuer: MOCK_ISSUER }] }),
    );
    assert.equal(wrongIdentity.code, 'identity');
    assert.equal(
      wrongIdentity.reason,
      `signed by ${MOCK_IDENTITY} (issuer ${MOCK_ISSUER}); trusted: ${evil} (issuer ${MOCK_ISSUER})`,
    );

    const gitlab = 'https://gitlab.com';
    const wrongIssuer = rejection(
      verifyAttestation(signed.bundle, artifact, {
        ...policy,
        publishers: [{ identity: MOCK_IDENTITY, issuer: gitlab }],
      }),
    );
    assert.equal(wrongIssuer.code, 'issuer');
    assert.match(
      wrongIssuer.reason,
      /\(issuer https:\/\/token\.actions\.githubusercontent\.com\): the identity is trusted only under another issuer; trusted: .* \(issuer https:\/\/gitlab\.com\)$/,
    );

    const wrongChannel = rejection(
      verifyAttestation(signed.bundle, artifact, { ...policy, channel: 'https://conda.anaconda.org/conda-forge' }),
    );
    assert.equal(wrongChannel.code, 'target-channel');
    assert.equal(
      wrongChannel.reason,
      `signed for channel ${CHANNEL}, but the package came from https://conda.anaconda.org/conda-forge`,
    );

    const renamed = join(dirname(file), 'zlib-1.3.2-h0_0.conda');
    renameSync(file, renamed);
    const wrongName = rejection(
      verifyAttestation(signed.bundle, { filename: basename(renamed), sha256: await sha256File(renamed) }, policy),
    );
    assert.equal(wrongName.code, 'subject-name');
    assert.equal(wrongName.reason, 'the statement is about "zlib-1.3.1-h0_0.conda", not "zlib-1.3.2-h0_0.conda"');

    const untrustedRoot = rejection(
      verifyAttestation(signed.bundle, artifact, { ...policy, trust: { kind: 'production' } }),
    );
    assert.equal(untrustedRoot.code, 'certificate');
    assert.match(untrustedRoot.reason, /does not chain to a Fulcio CA of the trusted root .*@sigstore\/tuf@/);
  });

  it('matches identity patterns anchored, and any of several publishers', async () => {
    const file = writeTemp('pkg/demo-2.0-h0_0.conda', randomBytes(100));
    const signed = await sign(file);
    const verify = (publishers: VerifyPolicy['publishers']) =>
      verifyAttestation(signed.bundle, signed.artifact, { ...policy, publishers });
    assert.ok(verify([{ identityRegexp: 'https://github\\.com/conda-forge/.*', issuer: MOCK_ISSUER }]).ok);
    const unanchored = verify([{ identityRegexp: 'github\\.com/conda-forge', issuer: MOCK_ISSUER }]);
    assert.equal(unanchored.ok ? 'ok' : unanchored.code, 'identity', 'a pattern matches the whole identity');
    const prefixOnly = verify([
      { identityRegexp: 'https://github\\.com/conda-forge/zlib-feedstock', issuer: MOCK_ISSUER },
    ]);
    assert.equal(prefixOnly.ok ? 'ok' : prefixOnly.code, 'identity');
    const several = verify([
      { identity: 'https://github.com/other/repo/.github/workflows/x.yml@refs/heads/main', issuer: MOCK_ISSUER },
      { identity: MOCK_IDENTITY, issuer: 'https://gitlab.com' },
      { identityRegexp: '.*/zlib-feedstock/.*', issuer: MOCK_ISSUER },
    ]);
    assert.ok(several.ok);
  });

  it('tampering with the bundle breaks the signature or the log entry', async () => {
    const file = writeTemp('pkg/demo-3.0-h0_0.conda', randomBytes(100));
    const signed = await sign(file);
    const forged = structuredClone(signed.bundle) as any;
    const statement = JSON.parse(Buffer.from(forged.dsseEnvelope.payload, 'base64').toString('utf8'));
    statement.predicate.targetChannel = 'https://conda.anaconda.org/conda-forge';
    forged.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    const outcome = verifyAttestation(forged, signed.artifact, {
      ...policy,
      channel: 'https://conda.anaconda.org/conda-forge',
    });
    assert.ok(!outcome.ok);
    assert.ok(['signature', 'transparency-log'].includes(outcome.code), outcome.code);

    const noLog = structuredClone(signed.bundle) as any;
    noLog.verificationMaterial.tlogEntries = [];
    const unlogged = verifyAttestation(noLog, signed.artifact, policy);
    assert.equal(unlogged.ok ? 'ok' : unlogged.code, 'transparency-log');
  });

  it('says what is missing when no identity token is available, without echoing tokens', async () => {
    const file = writeTemp('pkg/demo-4.0-h0_0.conda', randomBytes(100));
    const ambient = [
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'SIGSTORE_ID_TOKEN',
      'BUILDKITE',
    ];
    const saved = ambient.map((name) => [name, process.env[name]] as const);
    for (const name of ambient) delete process.env[name];
    try {
      await assert.rejects(
        signArtifact(file, { channel: CHANNEL, keyless: { fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl } }),
        (error: unknown) =>
          error instanceof CvebuildError &&
          error.code === 'SIGNING_FAILED' &&
          /no OIDC identity token: pass --identity-token, or run in GitHub Actions/.test(error.message),
      );
    } finally {
      for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
    }
    const secret = 'eyJhbGciOiJub25lIn0.not-json-at-all.sig';
    await assert.rejects(
      signArtifact(file, {
        channel: CHANNEL,
        keyless: { fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityToken: secret },
      }),
      (error: unknown) =>
        error instanceof CvebuildError &&
        error.code === 'SIGNING_FAILED' &&
        /not a JWT/.test(error.message) &&
        !error.message.includes('not-json-at-all'),
    );
  });

  it('reports an unreachable Fulcio as a signing failure', async () => {
    const file = writeTemp('pkg/demo-5.0-h0_0.conda', randomBytes(100));
    await assert.rejects(
      signArtifact(file, {
        channel: CHANNEL,
        keyless: {
          fulcioUrl: 'http://127.0.0.1:1',
          rekorUrl: mock.rekorUrl,
          identityToken: fakeIdentityToken(),
          timeoutMs: 2000,
          retries: 0,
        },
      }),
      (error: unknown) =>
        error instanceof CvebuildError && error.code === 'SIGNING_FAILED' && /Fulcio did not issue/.test(error.message),
    );
  });
});
