/** Keyed signing and verification, fully offline: keygen → sign → verify, and what is rejected. */
// biome-ignore-all lint/suspicious/noExplicitAny: the tests read and forge bundle JSON field by field
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateKeyPair } from '../../../src/attest/keys.ts';
import { sha256File, signArtifact, signStatementFor } from '../../../src/attest/sign.ts';
import { CEP27_PREDICATE_TYPE, IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE } from '../../../src/attest/statement.ts';
import type { ArtifactRef, VerifyPolicy } from '../../../src/attest/types.ts';
import { verifyAttestation, verifySidecar } from '../../../src/attest/verify.ts';
import { CvebuildError } from '../../../src/errors.ts';
import { writeTemp } from '../../helpers/temp.ts';

const CHANNEL = 'https://prefix.dev/my-channel';
const key = generateKeyPair();
const otherKey = generateKeyPair();
const policy: VerifyPolicy = { trust: { kind: 'public-key', pem: key.publicKeyPem }, publishers: [], channel: CHANNEL };

async function signedPackage(name = 'demo-1.0-h0_0.conda') {
  const file = writeTemp(`pkg/${name}`, randomBytes(4096));
  const signed = await signArtifact(file, { channel: CHANNEL, keyed: { privateKeyPem: key.privateKeyPem } });
  return { file, signed };
}

/** A copy of the bundle with its DSSE payload (the statement) edited, signature unchanged. */
function withPayload(bundle: unknown, edit: (statement: Record<string, any>) => void): unknown {
  const copy = structuredClone(bundle) as { dsseEnvelope: { payload: string } };
  const statement = JSON.parse(Buffer.from(copy.dsseEnvelope.payload, 'base64').toString('utf8'));
  edit(statement);
  copy.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
  return copy;
}

describe('keyed attestations (offline)', () => {
  it('signs a v0.3 bundle with a DSSE envelope over the CEP-27 statement, without Rekor', async () => {
    const { file, signed } = await signedPackage();
    const bundle = signed.bundle as any;
    assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(bundle.verificationMaterial.tlogEntries?.length ?? 0, 0);
    assert.match(bundle.verificationMaterial.publicKey.hint, /^[A-Za-z0-9+/]{43}=$/);
    assert.equal(bundle.dsseEnvelope.payloadType, IN_TOTO_PAYLOAD_TYPE);
    assert.equal(bundle.dsseEnvelope.signatures.length, 1);
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    assert.deepEqual(statement, {
      _type: STATEMENT_TYPE,
      subject: [{ name: 'demo-1.0-h0_0.conda', digest: { sha256: await sha256File(file) } }],
      predicateType: CEP27_PREDICATE_TYPE,
      predicate: { targetChannel: CHANNEL },
    });
    assert.deepEqual(signed.statement, statement);
    assert.equal(signed.signer.identity, `sha256:${bundle.verificationMaterial.publicKey.hint}`);
    assert.equal(signed.logIndex, undefined);
  });

  it('verifies with the public key', async () => {
    const { signed } = await signedPackage();
    const outcome = verifyAttestation(signed.bundle, signed.artifact, policy);
    assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
    assert.equal(outcome.signer.identity, signed.signer.identity);
    assert.equal(outcome.signer.issuer, undefined);
    assert.equal(outcome.targetChannel, CHANNEL);
    assert.equal(outcome.details.keyed, true);
    assert.equal(outcome.details.signedAt, undefined);
    const named = verifyAttestation(signed.bundle, signed.artifact, {
      ...policy,
      trust: { kind: 'public-key', pem: key.publicKeyPem, hint: 'release key 2026' },
    });
    assert.ok(named.ok);
    assert.equal(named.signer.identity, 'release key 2026');
  });

  it('rejects another key, naming both', async () => {
    const { signed } = await signedPackage();
    const outcome = verifyAttestation(signed.bundle, signed.artifact, {
      ...policy,
      trust: { kind: 'public-key', pem: otherKey.publicKeyPem },
    });
    assert.ok(!outcome.ok);
    assert.equal(outcome.code, 'signature');
    assert.match(
      outcome.reason,
      /does not verify with the trusted key sha256:\S+: the bundle names another key \(hint \S+\)/,
    );
  });

  it('rejects a tampered package, statement or signature', async () => {
    const { file, signed } = await signedPackage();
    const bytes = readFileSync(file);
    bytes[100] = (bytes[100] as number) ^ 0xff;
    writeFileSync(file, bytes);
    const tampered: ArtifactRef = { filename: signed.artifact.filename, sha256: await sha256File(file) };
    const onFile = verifyAttestation(signed.bundle, tampered, policy);
    assert.ok(!onFile.ok);
    assert.equal(onFile.code, 'subject-digest');
    assert.match(onFile.reason, /the file is not the one that was signed/);

    const forged = withPayload(signed.bundle, (statement) => {
      statement.subject[0].digest.sha256 = tampered.sha256;
    });
    const onStatement = verifyAttestation(forged, tampered, policy);
    assert.ok(!onStatement.ok);
    assert.equal(onStatement.code, 'signature');
    assert.match(onStatement.reason, /the DSSE signature does not verify with the trusted key/);

    const badSignature = structuredClone(signed.bundle) as any;
    const sig = Buffer.from(badSignature.dsseEnvelope.signatures[0].sig, 'base64');
    sig[sig.length - 1] = (sig[sig.length - 1] as number) ^ 1;
    badSignature.dsseEnvelope.signatures[0].sig = sig.toString('base64');
    const onSignature = verifyAttestation(badSignature, signed.artifact, policy);
    assert.equal(onSignature.ok ? 'ok' : onSignature.code, 'signature');
  });

  it('rejects malformed bundles', async () => {
    const { signed } = await signedPackage();
    const twoSignatures = structuredClone(signed.bundle) as any;
    twoSignatures.dsseEnvelope.signatures.push(twoSignatures.dsseEnvelope.signatures[0]);
    for (const bundle of [null, 'text', [], {}, { mediaType: 'application/json' }, twoSignatures]) {
      const outcome = verifyAttestation(bundle, signed.artifact, policy);
      assert.equal(outcome.ok ? 'ok' : outcome.code, 'malformed', JSON.stringify(bundle)?.slice(0, 60));
    }
  });

  it('rejects a keyed bundle under keyless trust, and a keyless policy with no publisher is an error', async () => {
    const { signed } = await signedPackage();
    const outcome = verifyAttestation(signed.bundle, signed.artifact, {
      trust: { kind: 'production' },
      publishers: [{ identity: 'https://github.com/o/r/.github/workflows/w.yml@refs/heads/main', issuer: 'https://x' }],
    });
    assert.ok(!outcome.ok);
    assert.equal(outcome.code, 'certificate');
    assert.match(outcome.reason, /no signing certificate: it is signed with a key/);
    assert.throws(
      () => verifyAttestation(signed.bundle, signed.artifact, { trust: { kind: 'production' }, publishers: [] }),
      (error: unknown) =>
        error instanceof CvebuildError && error.code === 'USAGE' && /trusted publisher/.test(error.message),
    );
    assert.throws(
      () =>
        verifyAttestation(signed.bundle, signed.artifact, {
          trust: { kind: 'production' },
          publishers: [{ identityRegexp: '(', issuer: 'https://x' }],
        }),
      (error: unknown) => error instanceof CvebuildError && /not a regular expression/.test(error.message),
    );
    assert.throws(
      () => verifyAttestation(signed.bundle, signed.artifact, { ...policy, channel: 'conda-forge' }),
      (error: unknown) => error instanceof CvebuildError && /must be a URL/.test(error.message),
    );
  });

  it('refuses to sign what is not a conda artifact or for a channel URL with secrets', async () => {
    const keyed = { privateKeyPem: key.privateKeyPem };
    const wheel = writeTemp('pkg/demo-1.0-py3-none-any.whl', 'x');
    await assert.rejects(signArtifact(wheel, { channel: CHANNEL, keyed }), { code: 'INPUT_UNRECOGNIZED' });
    await assert.rejects(signArtifact(`${wheel}.conda`, { channel: CHANNEL, keyed }), { code: 'INPUT_NOT_FOUND' });
    const ref = { filename: 'demo-1.0-h0_0.conda', sha256: 'a'.repeat(64) };
    for (const channel of [
      'conda-forge',
      'ftp://example.org/channel',
      'https://user:pw@prefix.dev/private',
      'https://repo.prefix.dev/t/abc123/private',
      'https://prefix.dev/channel?token=x',
    ]) {
      await assert.rejects(signStatementFor(ref, { channel, keyed }), { code: 'USAGE' }, channel);
    }
    await assert.rejects(signStatementFor({ ...ref, sha256: 'xyz' }, { channel: CHANNEL, keyed }), { code: 'USAGE' });
    await assert.rejects(signStatementFor(ref, { channel: CHANNEL, keyed: { privateKeyPem: 'x' } }), {
      code: 'KEY_INVALID',
    });
    const signed = await signStatementFor(ref, { channel: `${CHANNEL}/`, keyed });
    assert.equal(signed.statement.predicate.targetChannel, CHANNEL, 'CEP 27: no trailing slash');
  });
});

describe('sidecars', () => {
  it('pass when any bundle passes, and say which', async () => {
    const { signed } = await signedPackage();
    const byOtherKey = await signStatementFor(signed.artifact, {
      channel: CHANNEL,
      keyed: { privateKeyPem: otherKey.privateKeyPem },
    });
    const outcome = verifySidecar([byOtherKey.bundle, { junk: true }, signed.bundle], signed.artifact, policy);
    assert.ok(outcome.ok);
    assert.equal(outcome.index, 2);
    assert.deepEqual(
      outcome.rejections.map((rejection) => [rejection.index, rejection.code]),
      [
        [0, 'signature'],
        [1, 'malformed'],
      ],
    );
  });

  it('take a single bundle where an array is expected', async () => {
    const { signed } = await signedPackage();
    const outcome = verifySidecar(signed.bundle, signed.artifact, policy);
    assert.ok(outcome.ok);
    assert.equal(outcome.index, 0);
  });

  it('report the rejection that got furthest', async () => {
    const { signed } = await signedPackage();
    const elsewhere = await signStatementFor(signed.artifact, {
      channel: 'https://conda.anaconda.org/other',
      keyed: { privateKeyPem: key.privateKeyPem },
    });
    const outcome = verifySidecar([{ junk: true }, elsewhere.bundle, 42], signed.artifact, policy);
    assert.ok(!outcome.ok);
    assert.equal(outcome.code, 'target-channel');
    assert.equal(outcome.index, 1);
    assert.match(
      outcome.reason,
      /^none of the 3 bundles verifies; bundle 2: signed for channel https:\/\/conda.anaconda.org\/other/,
    );
    assert.deepEqual(
      outcome.rejections.map((rejection) => rejection.code),
      ['malformed', 'target-channel', 'malformed'],
    );
    const empty = verifySidecar([], signed.artifact, policy);
    assert.ok(!empty.ok);
    assert.equal(empty.code, 'malformed');
    assert.match(empty.reason, /no attestation bundles/);
  });
});
