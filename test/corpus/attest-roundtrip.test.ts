/**
 * CEP-27 round trips on real conda packages from the shared corpus: keyless against @sigstore/mock's
 * Fulcio and Rekor served on 127.0.0.1 with a fake OIDC token, and keyed fully offline. Tampering,
 * another identity, issuer, channel or file name are each rejected with their code and reason.
 */
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateKeyPair } from '../../src/attest/keys.ts';
import { type SignedAttestation, sha256File, signArtifact } from '../../src/attest/sign.ts';
import type { VerifyPolicy } from '../../src/attest/types.ts';
import { verifyAttestation, verifySidecar } from '../../src/attest/verify.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import {
  keylessSigning,
  MOCK_IDENTITY,
  MOCK_ISSUER,
  type MockSigstore,
  mockVerifyPolicy,
  startMockSigstore,
} from '../helpers/sigstore-mock.ts';
import { tempDirectory } from '../helpers/temp.ts';

const CHANNEL = 'https://conda.anaconda.org/main';
const PACKAGES = ['packages/conda/zlib-1.2.11-h7b6447c_3.conda', 'packages/conda/zlib-1.2.11-h7b6447c_3.tar.bz2'];

/** A private copy of a corpus package (the corpus is read-only, and some tests alter the file). */
function copyOf(relative: string, name = basename(relative)): string {
  const path = join(tempDirectory(), name);
  copyFileSync(corpus(relative), path);
  return path;
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = (bytes[offset] as number) ^ 0x01;
  writeFileSync(path, bytes);
}

function timed<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, performance.now() - start];
}

describe('CEP-27 keyless round trip on real packages', { skip: !hasCorpus && 'no corpus' }, () => {
  let mock: MockSigstore;
  let policy: VerifyPolicy;
  before(async () => {
    mock = await startMockSigstore();
    policy = mockVerifyPolicy(mock, CHANNEL);
  });
  after(() => mock.close());

  const sign = (file: string): Promise<SignedAttestation> =>
    signArtifact(file, {
      channel: CHANNEL,
      keyless: keylessSigning(mock),
    });

  for (const relative of PACKAGES) {
    it(`signs and verifies ${basename(relative)}`, async (t) => {
      const file = copyOf(relative);
      const start = performance.now();
      const signed = await sign(file);
      const signMs = performance.now() - start;
      assert.equal(signed.artifact.sha256, await sha256File(corpus(relative)));
      const artifact = { filename: basename(relative), sha256: await sha256File(file) };
      const [outcome, verifyMs] = timed(() => verifyAttestation(signed.bundle, artifact, policy));
      assert.ok(outcome.ok, outcome.ok ? '' : `${outcome.code}: ${outcome.reason}`);
      assert.deepEqual(outcome.signer, { identity: MOCK_IDENTITY, issuer: MOCK_ISSUER });
      assert.equal(outcome.targetChannel, CHANNEL);
      const [, againMs] = timed(() => verifyAttestation(signed.bundle, artifact, policy));
      t.diagnostic(`sign ${signMs.toFixed(1)} ms, verify ${verifyMs.toFixed(1)} ms (again ${againMs.toFixed(1)} ms)`);
      assert.ok(verifySidecar([signed.bundle], artifact, policy).ok, 'as a one-bundle .sigs array');
    });
  }

  it('rejects each way the package, signer or statement can be wrong, precisely', async () => {
    const file = copyOf(PACKAGES[0] as string);
    const signed = await sign(file);
    const filename = basename(file);
    const reject = (outcome: ReturnType<typeof verifyAttestation>) => {
      assert.ok(!outcome.ok, 'must be rejected');
      return [outcome.code, outcome.reason];
    };

    const tamperedFile = copyOf(PACKAGES[0] as string);
    flipByte(tamperedFile, 1000);
    const tamperedSha = await sha256File(tamperedFile);
    assert.deepEqual(reject(verifyAttestation(signed.bundle, { filename, sha256: tamperedSha }, policy)), [
      'subject-digest',
      `${filename} has sha256 ${tamperedSha}, the statement names ${signed.artifact.sha256}: the file is not the one that was signed`,
    ]);

    const evil = 'https://github.com/evil/zlib-feedstock/.github/workflows/build.yml@refs/heads/main';
    assert.deepEqual(
      reject(
        verifyAttestation(signed.bundle, signed.artifact, {
          ...policy,
          publishers: [{ identity: evil, issuer: MOCK_ISSUER }],
        }),
      ),
      ['identity', `signed by ${MOCK_IDENTITY} (issuer ${MOCK_ISSUER}); trusted: ${evil} (issuer ${MOCK_ISSUER})`],
    );

    assert.deepEqual(
      reject(
        verifyAttestation(signed.bundle, signed.artifact, {
          ...policy,
          publishers: [{ identity: MOCK_IDENTITY, issuer: 'https://gitlab.com' }],
        }),
      ),
      [
        'issuer',
        `signed by ${MOCK_IDENTITY} (issuer ${MOCK_ISSUER}): the identity is trusted only under another issuer; trusted: ${MOCK_IDENTITY} (issuer https://gitlab.com)`,
      ],
    );

    assert.deepEqual(
      reject(
        verifyAttestation(signed.bundle, signed.artifact, { ...policy, channel: 'https://prefix.dev/conda-forge' }),
      ),
      ['target-channel', `signed for channel ${CHANNEL}, but the package came from https://prefix.dev/conda-forge`],
    );

    const renamed = copyOf(PACKAGES[0] as string, 'zlib-1.2.13-h7b6447c_3.conda');
    assert.deepEqual(
      reject(
        verifyAttestation(signed.bundle, { filename: basename(renamed), sha256: await sha256File(renamed) }, policy),
      ),
      ['subject-name', `the statement is about "${filename}", not "zlib-1.2.13-h7b6447c_3.conda"`],
    );

    // The .tar.bz2 of the same package is another artifact: its attestation does not cover the .conda.
    const otherFormat = await sign(copyOf(PACKAGES[1] as string));
    assert.equal(reject(verifyAttestation(otherFormat.bundle, signed.artifact, policy))[0], 'subject-name');
  });
});

describe('CEP-27 keyed round trip on real packages (offline)', { skip: !hasCorpus && 'no corpus' }, () => {
  const key = generateKeyPair();
  const policy: VerifyPolicy = {
    trust: { kind: 'public-key', pem: key.publicKeyPem },
    publishers: [],
    channel: CHANNEL,
  };

  for (const relative of PACKAGES) {
    it(`keygen → sign → verify ${basename(relative)}; another key and tampering are rejected`, async (t) => {
      const file = copyOf(relative);
      const start = performance.now();
      const signed = await signArtifact(file, { channel: CHANNEL, keyed: { privateKeyPem: key.privateKeyPem } });
      const signMs = performance.now() - start;
      const [outcome, verifyMs] = timed(() => verifyAttestation(signed.bundle, signed.artifact, policy));
      assert.ok(outcome.ok, outcome.ok ? '' : outcome.reason);
      t.diagnostic(`sign ${signMs.toFixed(1)} ms, verify ${verifyMs.toFixed(1)} ms`);

      const other = verifyAttestation(signed.bundle, signed.artifact, {
        ...policy,
        trust: { kind: 'public-key', pem: generateKeyPair().publicKeyPem },
      });
      assert.equal(other.ok ? 'ok' : other.code, 'signature');

      flipByte(file, 500);
      const tampered = verifyAttestation(signed.bundle, { ...signed.artifact, sha256: await sha256File(file) }, policy);
      assert.equal(tampered.ok ? 'ok' : tampered.code, 'subject-digest');
    });
  }
});
