/**
 * `cvebuild verify-bundle` through the real executable, on bundles made here: keyless message
 * signatures and DSSE statements from the loopback Sigstore mock (Fulcio certificate, SCT, Rekor
 * entry), and keyed message signatures with a local P-256 key. Exit 0 verified, 1 rejected with
 * one line naming the rule, 2 could not run.
 */
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign as signBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleToJSON } from '@sigstore/bundle';
import { FulcioSigner, MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { signStatement } from '../../../src/attest/sign.ts';
import { runCliAsync } from '../../helpers/cli.ts';
import {
  fakeIdentityToken,
  MOCK_IDENTITY,
  MOCK_ISSUER,
  type MockSigstore,
  startMockSigstore,
} from '../../helpers/sigstore-mock.ts';
import { tempDirectory } from '../../helpers/temp.ts';

function writeFile(name: string, data: Buffer | string): string {
  const path = join(tempDirectory(), name);
  writeFileSync(path, data);
  return path;
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('cvebuild verify-bundle', () => {
  let mock: MockSigstore;
  let keyless: string[];
  before(async () => {
    mock = await startMockSigstore();
    keyless = ['--identity', MOCK_IDENTITY, '--issuer', MOCK_ISSUER, '--trusted-root', mock.trustedRootPath];
  });
  after(() => mock.close());

  /** A keyless message-signature bundle (hashedrekord) over `data`, from the mock Fulcio and Rekor. */
  async function signMessage(data: Buffer): Promise<string> {
    const signer = new FulcioSigner({
      identityProvider: { getToken: async () => fakeIdentityToken() },
      fulcioBaseURL: mock.fulcioUrl,
    });
    const builder = new MessageSignatureBundleBuilder({
      signer,
      witnesses: [new RekorWitness({ rekorBaseURL: mock.rekorUrl })],
    });
    return writeFile('message.sigstore.json', JSON.stringify(bundleToJSON(await builder.create({ data }))));
  }

  describe('a keyless message signature', () => {
    let artifact: Buffer;
    let artifactPath: string;
    let bundle: string;
    before(async () => {
      artifact = randomBytes(4096);
      artifactPath = writeFile('release.tar.gz', artifact);
      bundle = await signMessage(artifact);
    });

    it('verifies for the file and for its sha256 digest, and says who signed', async () => {
      const byFile = await runCliAsync(['verify-bundle', artifactPath, '--bundle', bundle, ...keyless]);
      assert.equal(byFile.status, 0, byFile.stderr);
      assert.match(byFile.stdout, /^verified release\.tar\.gz \(Sigstore bundle, message signature\)\n/);
      assert.match(byFile.stdout, new RegExp(`\\n  sha256    ${sha256(artifact)}\\n`));
      assert.match(
        byFile.stdout,
        /\n {2}signer {4}https:\/\/github\.com\/conda-forge\/zlib-feedstock\/.* \(issuer https:\/\/token\.actions/,
      );
      assert.match(byFile.stdout, /\n {2}signed {4}\d{4}-.*\(transparency log entry \d+\)\n/);

      const byDigest = await runCliAsync([
        'verify-bundle',
        `sha256:${sha256(artifact)}`,
        '--bundle',
        bundle,
        ...keyless,
      ]);
      assert.equal(byDigest.status, 0, byDigest.stderr);
      assert.match(byDigest.stdout, /\(given as a digest\)/);
    });

    it('rejects other bytes, by file and by digest, as a signature failure', async () => {
      const other = writeFile('release.tar.gz', Buffer.concat([artifact, Buffer.of(0)]));
      for (const argument of [other, `sha256:${sha256(Buffer.from('something else'))}`]) {
        const result = await runCliAsync(['verify-bundle', argument, '--bundle', bundle, ...keyless]);
        assert.equal(result.status, 1, result.stderr);
        assert.match(
          result.stdout,
          /^rejected \S+: signature: the signature does not verify with the signing certificate's key/,
        );
        assert.equal(result.stdout.split('\n').length, 2, 'one line');
      }
    });

    it('rejects another signer as identity, and the right identity under another issuer as issuer', async () => {
      const trust = ['--trusted-root', mock.trustedRootPath];
      const wrongIdentity = await runCliAsync([
        'verify-bundle',
        artifactPath,
        '--bundle',
        bundle,
        ...trust,
        '--identity-regexp',
        'https://github\\.com/someone-else/.*',
        '--issuer',
        MOCK_ISSUER,
      ]);
      assert.equal(wrongIdentity.status, 1);
      assert.match(wrongIdentity.stdout, /: identity: signed by https:\/\/github\.com\/conda-forge\//);
      const wrongIssuer = await runCliAsync([
        'verify-bundle',
        artifactPath,
        '--bundle',
        bundle,
        ...trust,
        '--identity',
        MOCK_IDENTITY,
        '--issuer',
        'https://gitlab.com',
      ]);
      assert.equal(wrongIssuer.status, 1);
      assert.match(wrongIssuer.stdout, /: issuer: /);
    });

    it('rejects a bundle not anchored in the trusted root (production root for a mock certificate)', async () => {
      const result = await runCliAsync([
        'verify-bundle',
        artifactPath,
        '--bundle',
        bundle,
        '--identity',
        MOCK_IDENTITY,
        '--issuer',
        MOCK_ISSUER,
      ]);
      assert.equal(result.status, 1);
      assert.match(result.stdout, /: (certificate|transparency-log): /);
    });

    it('writes JSON with the rule, or with the signer and log entry', async () => {
      const ok = await runCliAsync(['verify-bundle', artifactPath, '--bundle', bundle, ...keyless, '--format', 'json']);
      assert.equal(ok.status, 0);
      const document = JSON.parse(ok.stdout);
      assert.equal(document.verified, true);
      assert.equal(document.kind, 'sigstore');
      assert.equal(document.content, 'message signature');
      assert.deepEqual(document.artifact, { name: 'release.tar.gz', sha256: sha256(artifact), given: 'file' });
      assert.deepEqual(document.signer, { identity: MOCK_IDENTITY, issuer: MOCK_ISSUER });
      assert.match(document.transparencyLog.logIndex, /^\d+$/);
      const rejected = await runCliAsync([
        'verify-bundle',
        `sha256:${'0'.repeat(64)}`,
        '--bundle',
        bundle,
        ...keyless,
        '--format',
        'json',
      ]);
      assert.equal(rejected.status, 1);
      assert.deepEqual(
        { verified: JSON.parse(rejected.stdout).verified, code: JSON.parse(rejected.stdout).code },
        { verified: false, code: 'signature' },
      );
    });
  });

  describe('a keyless DSSE in-toto statement', () => {
    it('verifies only for an artifact that is one of its subjects', async () => {
      const artifact = randomBytes(1024);
      const artifactPath = writeFile('tool-1.0.tar.gz', artifact);
      const statement = {
        _type: 'https://in-toto.io/Statement/v1',
        subject: [
          { name: 'other.tar.gz', digest: { sha256: sha256(Buffer.from('other')) } },
          { name: 'tool-1.0.tar.gz', digest: { sha256: sha256(artifact) } },
        ],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {},
      };
      const signed = await signStatement(statement, {
        keyless: { fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityToken: fakeIdentityToken() },
      });
      const bundle = writeFile('statement.sigstore.json', JSON.stringify(signed.bundle));
      const verified = await runCliAsync(['verify-bundle', artifactPath, '--bundle', bundle, ...keyless]);
      assert.equal(verified.status, 0, verified.stderr);
      assert.match(
        verified.stdout,
        /^verified tool-1\.0\.tar\.gz \(Sigstore bundle, DSSE envelope, https:\/\/slsa\.dev\/provenance\/v1\)/,
      );
      const byDigest = await runCliAsync([
        'verify-bundle',
        `sha256:${sha256(artifact)}`,
        '--bundle',
        bundle,
        ...keyless,
      ]);
      assert.equal(byDigest.status, 0, byDigest.stderr);

      const stranger = writeFile('tool-1.0.tar.gz', randomBytes(1024));
      const rejected = await runCliAsync(['verify-bundle', stranger, '--bundle', bundle, ...keyless]);
      assert.equal(rejected.status, 1);
      assert.match(
        rejected.stdout,
        /^rejected tool-1\.0\.tar\.gz: subject-digest: no subject of the statement has the artifact's sha256/,
      );
    });
  });

  describe('a keyed message signature', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

    async function signKeyed(data: Buffer, key = privateKey): Promise<string> {
      const builder = new MessageSignatureBundleBuilder({
        signer: {
          sign: async (bytes: Buffer) => ({
            signature: signBytes('sha256', bytes, key),
            key: { $case: 'publicKey', publicKey: publicPem, hint: 'release-key' },
          }),
        },
        witnesses: [],
      });
      return writeFile('keyed.sigstore.json', JSON.stringify(bundleToJSON(await builder.create({ data }))));
    }

    it('verifies with the key, by file and by digest, and rejects another key', async () => {
      const data = randomBytes(512);
      const file = writeFile('data.bin', data);
      const keyFile = writeFile('release.pub', publicPem);
      const bundle = await signKeyed(data);
      for (const argument of [file, `sha256:${sha256(data)}`]) {
        const result = await runCliAsync(['verify-bundle', argument, '--bundle', bundle, '--key', keyFile]);
        assert.equal(result.status, 0, result.stderr + result.stdout);
        assert.match(result.stdout, /\n {2}signer {4}key sha256:/);
      }
      const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
      const otherFile = writeFile('other.pub', other.export({ format: 'pem', type: 'spki' }).toString());
      for (const argument of [file, `sha256:${sha256(data)}`]) {
        const result = await runCliAsync(['verify-bundle', argument, '--bundle', bundle, '--key', otherFile]);
        assert.equal(result.status, 1);
        assert.match(result.stdout, /: signature: the signature does not verify with the trusted key/);
      }
    });
  });

  describe('input it cannot run on', () => {
    it('exits 2 with one line for missing flags, files and misused --name; 1 for a bundle that is not JSON', async () => {
      const file = writeFile('a.txt', 'a');
      const notJson = writeFile('broken.sigstore.json', '{');
      const cases: [string[], number, RegExp][] = [
        [
          ['verify-bundle', file, '--bundle', notJson, '--identity', MOCK_IDENTITY],
          2,
          /keyless verification needs --issuer/,
        ],
        [
          ['verify-bundle', file, '--identity', MOCK_IDENTITY, '--issuer', MOCK_ISSUER],
          2,
          /required option '--bundle <file>'/,
        ],
        [['verify-bundle', join(tempDirectory(), 'missing'), '--bundle', notJson, '--key', file], 2, /missing/],
        [
          ['verify-bundle', file, '--bundle', notJson, '--name', 'x.whl', '--key', file],
          2,
          /--name is for an artifact given as sha256/,
        ],
        [
          ['verify-bundle', file, '--bundle', notJson, ...['--identity', MOCK_IDENTITY, '--issuer', MOCK_ISSUER]],
          1,
          /^rejected a\.txt: malformed: broken\.sigstore\.json is not JSON/,
        ],
      ];
      for (const [args, status, pattern] of cases) {
        const result = await runCliAsync(args);
        assert.equal(result.status, status, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
        const said = status === 2 ? result.stderr : result.stdout;
        assert.match(said, pattern);
        assert.equal(said.trimEnd().split('\n').length, 1, said);
      }
    });
  });
});
