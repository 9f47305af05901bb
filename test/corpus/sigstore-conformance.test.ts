/**
 * sigstore-conformance's bundle-verify cases through cvebuild's Sigstore layer. Each directory is
 * one case (conventions in its README.md): a `_fail` suffix means verification must fail.
 * - the bundle is `bundle.sigstore.json`; the artifact is `artifact`, else `../a.txt` (for DSSE
 *   bundles, an in-toto subject must carry its sha256);
 * - `key.pub` present: keyed verification with that key; otherwise keyless with the `identity` and
 *   `issuer` files (defaults below) as the one trusted publisher;
 * - `trusted_root.json` present: that root; otherwise Sigstore's production root from @sigstore/tuf.
 *
 * A case "fails" when verification returns a rejection or throws a CvebuildError (an unusable key
 * or trust root is refused before any bundle is looked at); anything else thrown is a bug.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keyTrust, resolveTrust } from '../../src/attest/trust.ts';
import { verifySigstoreBundle } from '../../src/attest/verify.ts';
import { CvebuildError } from '../../src/errors.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';

const root = corpus('sigstore-conformance/bundle-verify');
const DEFAULT_IDENTITY =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const DEFAULT_ISSUER = 'https://token.actions.githubusercontent.com';

type Result = { verified: true; signer: string } | { verified: false; why: string };

function runCase(name: string): Result {
  const dir = join(root, name);
  const optional = (file: string): Buffer | undefined =>
    existsSync(join(dir, file)) ? readFileSync(join(dir, file)) : undefined;
  const trustedRoot = existsSync(join(dir, 'trusted_root.json')) ? join(dir, 'trusted_root.json') : undefined;
  const keyPem = optional('key.pub')?.toString('utf8');
  let bundle: unknown;
  try {
    bundle = JSON.parse(readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8'));
  } catch (error) {
    return { verified: false, why: `malformed: bundle is not JSON (${(error as Error).message})` };
  }
  try {
    const trust = keyPem
      ? keyTrust(keyPem, undefined, trustedRoot)
      : resolveTrust(trustedRoot ? { kind: 'trusted-root', path: trustedRoot } : { kind: 'production' });
    const outcome = verifySigstoreBundle(bundle, {
      trust,
      publishers: [
        {
          identity: optional('identity')?.toString('utf8').trim() ?? DEFAULT_IDENTITY,
          issuer: optional('issuer')?.toString('utf8').trim() ?? DEFAULT_ISSUER,
        },
      ],
      artifact: optional('artifact') ?? readFileSync(join(root, 'a.txt')),
    });
    return outcome.ok
      ? { verified: true, signer: outcome.verified.signer.identity }
      : { verified: false, why: `${outcome.code}: ${outcome.reason}` };
  } catch (error) {
    if (error instanceof CvebuildError) return { verified: false, why: `refused (${error.code}): ${error.message}` };
    throw error;
  }
}

describe('sigstore-conformance bundle-verify', { skip: !hasCorpus && 'no corpus' }, () => {
  const cases = hasCorpus
    ? readdirSync(root)
        .filter((name) => statSync(join(root, name)).isDirectory())
        .sort()
    : [];

  it('has every case of the suite', () => {
    // 70 case directories (the directory's link count, 72, also counts `.` and `..`).
    assert.equal(cases.length, 70);
    assert.equal(cases.filter((name) => name.endsWith('_fail')).length, 49);
  });

  for (const name of cases) {
    const expectFailure = name.endsWith('_fail');
    it(`${name} ${expectFailure ? 'fails' : 'verifies'}`, () => {
      const result = runCase(name);
      if (expectFailure) assert.equal(result.verified, false, `${name} verified but must fail`);
      else assert.ok(result.verified, `${name} must verify: ${result.verified ? '' : result.why}`);
    });
  }

  it('fails each _fail case for its own reason', () => {
    const why = (name: string): string => {
      const result = runCase(name);
      assert.equal(result.verified, false, name);
      return result.verified ? '' : result.why;
    };
    assert.match(why('bundle-with-root-cert_fail'), /^certificate: .*includes a root certificate/);
    assert.match(why('bundle-from-wrong-instance_fail'), /^certificate: .*does not chain to a Fulcio CA/);
    assert.match(why('invalid-ct-key_fail'), /^certificate: .*SCT/);
    assert.match(why('managed-key-no-key_fail'), /^certificate: the bundle has no signing certificate/);
    assert.match(why('managed-key-wrong-key_fail'), /^refused \(KEY_INVALID\)/);
    assert.match(
      why('trust-root-tlog-missing-validity-start_fail'),
      /^refused \(TRUST_ROOT_INVALID\).*validFor\.start/,
    );
    assert.match(why('wrong-material_fail'), /^signature: /);
    assert.match(why('rekor2-no-timestamp_fail'), /^transparency-log: timestamp: expected 1 timestamps, got 0/);
    assert.match(why('inclusion-proof-corrupted-hash_fail'), /^transparency-log: /);
    assert.match(why('bundle-malformed-json_fail'), /^malformed: /);
    assert.match(why('intoto-expired-certificate_fail'), /^certificate: /);
  });

  it('names the signer of a verified case', () => {
    const result = runCase('happy-path-intoto-in-dsse-v3');
    assert.deepEqual(result, { verified: true, signer: DEFAULT_IDENTITY });
    const keyed = runCase('managed-key-happy-path');
    assert.deepEqual(keyed, { verified: true, signer: 'sha256:TLMsSDfG3ajPsWge+z/vX5T/zluXnmvbkTkwLIV68Tk=' });
  });

  it('rejects a verified case under another identity or issuer', () => {
    const dir = join(root, 'happy-path-v0.3');
    const bundle = JSON.parse(readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8'));
    const artifact = readFileSync(join(root, 'a.txt'));
    const trust = resolveTrust({ kind: 'production' });
    const wrongIdentity = verifySigstoreBundle(bundle, {
      trust,
      publishers: [{ identityRegexp: 'https://github\\.com/evil/.*', issuer: DEFAULT_ISSUER }],
      artifact,
    });
    assert.deepEqual(wrongIdentity.ok ? undefined : wrongIdentity.code, 'identity');
    const wrongIssuer = verifySigstoreBundle(bundle, {
      trust,
      publishers: [{ identity: DEFAULT_IDENTITY, issuer: 'https://gitlab.com' }],
      artifact,
    });
    assert.deepEqual(wrongIssuer.ok ? undefined : wrongIssuer.code, 'issuer');
    const pattern = verifySigstoreBundle(bundle, {
      trust,
      publishers: [
        { identity: 'https://github.com/someone/else', issuer: DEFAULT_ISSUER },
        { identityRegexp: 'https://github\\.com/sigstore-conformance/.*', issuer: DEFAULT_ISSUER },
      ],
      artifact,
    });
    assert.ok(pattern.ok);
  });
});
