import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyPair } from '../../../src/attest/keys.ts';
import {
  keylessTrustFromJson,
  keyTrust,
  PRODUCTION_ROOT_ORIGIN,
  parseTrustedRoot,
  productionTrustedRoot,
  resolveTrust,
} from '../../../src/attest/trust.ts';
import { CvebuildError } from '../../../src/errors.ts';
import { writeTemp } from '../../helpers/temp.ts';

function trustError(run: () => unknown): CvebuildError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CvebuildError, String(error));
    return error;
  }
  assert.fail('should throw');
}

describe('trust', () => {
  it("decodes Sigstore's production root from @sigstore/tuf's seeds, offline", () => {
    assert.match(
      PRODUCTION_ROOT_ORIGIN,
      /^@sigstore\/tuf@\d+\.\d+\.\d+ seeds\.json \(https:\/\/tuf-repo-cdn\.sigstore\.dev\)$/,
    );
    const root = productionTrustedRoot() as { tlogs: unknown[]; certificateAuthorities: unknown[]; ctlogs: unknown[] };
    assert.ok(root.tlogs.length >= 1);
    assert.ok(root.certificateAuthorities.length >= 1);
    assert.ok(root.ctlogs.length >= 1);
    const trust = resolveTrust({ kind: 'production' });
    assert.equal(trust.kind, 'keyless');
    assert.deepEqual(trust.thresholds, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 });
    assert.ok(trust.material.certificateAuthorities.length >= 1);
    assert.equal(resolveTrust({ kind: 'production' }), trust, 'parsed once per process');
  });

  it('reads a trusted_root.json file', () => {
    const path = writeTemp('root/trusted_root.json', JSON.stringify(productionTrustedRoot()));
    const trust = resolveTrust({ kind: 'trusted-root', path });
    assert.equal(trust.rootOrigin, path);
    assert.equal(trust.material.tlogs.length, resolveTrust({ kind: 'production' }).material.tlogs.length);
  });

  it('refuses trusted roots that are not, or leave validity open', () => {
    const root = productionTrustedRoot() as { tlogs: { publicKey: { validFor: { start?: string } } }[] };
    const noStart = structuredClone(root);
    delete (noStart.tlogs[0] as { publicKey: { validFor: { start?: string } } }).publicKey.validFor.start;
    assert.match(
      trustError(() => parseTrustedRoot(noStart, 'x')).message,
      /^x: tlogs\[0\] has no valid validFor\.start/,
    );
    assert.match(
      trustError(() => parseTrustedRoot({ mediaType: 'application/json' }, 'x')).message,
      /not a Sigstore trusted root/,
    );
    assert.match(trustError(() => keylessTrustFromJson([], 'x')).message, /not a JSON object/);
    const notJson = writeTemp('bad/trusted_root.json', '{');
    const error = trustError(() => resolveTrust({ kind: 'trusted-root', path: notJson }));
    assert.equal(error.code, 'TRUST_ROOT_INVALID');
    assert.match(error.toLine(), /trusted_root\.json: not JSON/);
    assert.equal(
      trustError(() => resolveTrust({ kind: 'trusted-root', path: `${notJson}.missing` })).code,
      'INPUT_NOT_FOUND',
    );
  });

  it('trusts a local key with no proof thresholds', () => {
    const pair = generateKeyPair();
    const trust = keyTrust(pair.publicKeyPem);
    assert.equal(trust.kind, 'key');
    assert.deepEqual(trust.thresholds, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
    assert.equal(trust.keyName, `sha256:${trust.keyId}`);
    assert.equal(
      resolveTrust({ kind: 'public-key', pem: pair.publicKeyPem, hint: 'release-key' }).keyName,
      'release-key',
    );
    assert.equal(trustError(() => resolveTrust({ kind: 'public-key', pem: 'nope' })).code, 'KEY_INVALID');
  });
});
