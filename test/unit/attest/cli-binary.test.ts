/**
 * keygen → sign → verify through the real `cvebuild` executable, as a user runs it: exit codes
 * 0 (verified), 1 (rejected, one line on stdout), 2 (bad input, one line on stderr).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, runCliAsync } from '../../helpers/cli.ts';
import { startFeedServer } from '../../helpers/feed-server.ts';
import {
  keylessFlags,
  MOCK_IDENTITY,
  MOCK_ISSUER,
  type MockSigstore,
  startMockSigstore,
} from '../../helpers/sigstore-mock.ts';
import { tempDirectory } from '../../helpers/temp.ts';

const CHANNEL = 'https://prefix.dev/my-channel';

function makePackage(name = 'demo-1.0-h0_0.conda'): string {
  const path = join(tempDirectory(), name);
  writeFileSync(path, randomBytes(2048));
  return path;
}

describe('cvebuild keygen / sign / verify (binary)', () => {
  it('round-trips with a key, offline, with exit codes 0, 1 and 2', () => {
    const prefix = join(tempDirectory(), 'release');
    assert.equal(runCli(['keygen', '--out', prefix]).status, 0);
    assert.equal(statSync(`${prefix}.key`).mode & 0o777, 0o600);
    const again = runCli(['keygen', '--out', prefix]);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /^cvebuild: .*release\.key: already exists/);

    const pkg = makePackage();
    const signed = runCli(['sign', pkg, '--channel', CHANNEL, '--key', `${prefix}.key`]);
    assert.equal(signed.status, 0, signed.stderr);
    const verified = runCli(['verify', pkg, '--key', `${prefix}.pub`, '--channel', CHANNEL]);
    assert.equal(verified.status, 0, verified.stderr);
    assert.match(verified.stdout, /^verified demo-1.0-h0_0.conda\n/);

    const rejected = runCli(['verify', pkg, '--key', `${prefix}.pub`, '--channel', 'https://conda.anaconda.org/other']);
    assert.equal(rejected.status, 1);
    assert.match(rejected.stdout, /^rejected demo-1.0-h0_0.conda: target-channel: signed for channel .*\n$/);

    const usage = runCli(['verify', pkg, '--identity', MOCK_IDENTITY]);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /^cvebuild: keyless verification needs --issuer/);
    assert.equal(usage.stderr.split('\n').length, 2, 'one line');
  });

  describe('keyless against the mock Sigstore', () => {
    let mock: MockSigstore;
    before(async () => {
      mock = await startMockSigstore();
    });
    after(() => mock.close());

    it('signs with --identity-token and verifies with --trusted-root, --identity, --issuer', async () => {
      const pkg = makePackage('zlib-1.3.1-h0_0.tar.bz2');
      const signed = await runCliAsync(['sign', pkg, '--channel', CHANNEL, ...keylessFlags(mock)]);
      assert.equal(signed.status, 0, signed.stderr);
      const base = ['verify', pkg, '--trusted-root', mock.trustedRootPath, '--channel', CHANNEL];
      const verified = runCli([...base, '--identity', MOCK_IDENTITY, '--issuer', MOCK_ISSUER]);
      assert.equal(verified.status, 0, verified.stdout + verified.stderr);
      const wrongIssuer = runCli([...base, '--identity', MOCK_IDENTITY, '--issuer', 'https://gitlab.com']);
      assert.equal(wrongIssuer.status, 1);
      assert.match(wrongIssuer.stdout, /: issuer: signed by .* the identity is trusted only under another issuer/);
    });

    it('fetches the sidecar from the channel with --url, the channel taken from the URL', async () => {
      const channel = await startFeedServer();
      try {
        const pkg = makePackage('demo-2.0-h0_0.conda');
        const channelUrl = channel.url('/acme');
        const signed = await runCliAsync([
          'sign',
          pkg,
          '--channel',
          channelUrl,
          ...keylessFlags(mock),
          '--sidecar',
          `${pkg}.served`,
        ]);
        assert.equal(signed.status, 0, signed.stderr);
        const url = channel.url('/acme/noarch/demo-2.0-h0_0.conda');
        const verify = ['verify', pkg, '--url', url, '--trusted-root', mock.trustedRootPath];
        const trusted = ['--identity', MOCK_IDENTITY, '--issuer', MOCK_ISSUER];
        const missing = await runCliAsync([...verify, ...trusted]);
        assert.equal(missing.status, 1, missing.stderr);
        assert.match(missing.stdout, /the channel has no attestation for it \(tried .*\.sigs, .*\.v0\.sigs\)/);
        channel.serve('/acme/noarch/demo-2.0-h0_0.conda.v0.sigs', { file: `${pkg}.served` });
        const verified = await runCliAsync([...verify, ...trusted]);
        assert.equal(verified.status, 0, verified.stdout + verified.stderr);
        assert.match(verified.stdout, /^verified demo-2\.0-h0_0\.conda\n/);
      } finally {
        await channel.close();
      }
    });
  });
});
