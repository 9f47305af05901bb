import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateKeyPair, keyId, parsePrivateKey, parsePublicKey, publicKeyPem } from '../../../src/attest/keys.ts';
import { CvebuildError } from '../../../src/errors.ts';

function keyError(run: () => unknown): CvebuildError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof CvebuildError, String(error));
    assert.equal(error.code, 'KEY_INVALID');
    return error;
  }
  assert.fail('should throw KEY_INVALID');
}

describe('keys', () => {
  it('generates a P-256 pair as PKCS#8 and SPKI PEM', () => {
    const pair = generateKeyPair();
    assert.match(pair.privateKeyPem, /^-----BEGIN PRIVATE KEY-----\n/);
    assert.match(pair.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
    const privateKey = parsePrivateKey(pair.privateKeyPem);
    const publicKey = parsePublicKey(pair.publicKeyPem);
    assert.equal(publicKeyPem(privateKey), pair.publicKeyPem);
    assert.equal(keyId(privateKey), keyId(publicKey));
    assert.match(keyId(publicKey), /^[A-Za-z0-9+/]{43}=$/);
    assert.notEqual(keyId(parsePublicKey(generateKeyPair().publicKeyPem)), keyId(publicKey));
  });

  it('reads SEC1 EC private keys too', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const sec1 = privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    assert.equal(parsePrivateKey(sec1).asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  it('refuses other curves, RSA, encrypted and swapped keys', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.match(
      keyError(() => parsePublicKey(p384.publicKey.export({ format: 'pem', type: 'spki' }).toString())).message,
      /ec secp384r1; cvebuild signs and verifies with ECDSA P-256 keys/,
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.match(
      keyError(() => parsePrivateKey(rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).message,
      /private key is rsa/,
    );
    const encrypted = p384.privateKey
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'secret' })
      .toString();
    assert.match(keyError(() => parsePrivateKey(encrypted)).message, /encrypted/);
    const pair = generateKeyPair();
    assert.match(keyError(() => parsePublicKey(pair.privateKeyPem)).message, /this is a private key/);
    assert.match(keyError(() => parsePrivateKey(pair.publicKeyPem)).message, /not a PEM private key/);
    const broken = keyError(() =>
      parsePublicKey('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', 'k.pub'),
    );
    assert.match(broken.toLine(), /^k\.pub: not a PEM public key/);
    assert.ok(!broken.toLine().includes('\n'));
  });
});
