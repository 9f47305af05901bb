/**
 * Local ECDSA P-256 keys for keyed (offline, air-gapped) signing: PKCS#8 private keys and SPKI
 * public keys in PEM, the forms cosign, sigstore-python and openssl exchange.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { CvebuildError } from '../errors.ts';

export interface KeyPairPem {
  /** PKCS#8 PEM, unencrypted: keep it secret (`cvebuild keygen` writes it with mode 0600). */
  privateKeyPem: string;
  /** SPKI PEM: give it to verifiers. */
  publicKeyPem: string;
}

export function generateKeyPair(): KeyPairPem {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** An ECDSA P-256 private key from PEM (PKCS#8 or SEC1). Throws `KEY_INVALID`. */
export function parsePrivateKey(pem: string, file?: string): KeyObject {
  if (/ENCRYPTED/.test(pem)) {
    throw keyError('the private key is encrypted; cvebuild reads unencrypted PKCS#8 keys only', file);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw keyError(`not a PEM private key (${firstLine(error)})`, file);
  }
  requireP256(key, 'private', file);
  return key;
}

/** An ECDSA P-256 public key from SPKI PEM (a private key PEM is refused: give the .pub file). Throws `KEY_INVALID`. */
export function parsePublicKey(pem: string, file?: string): KeyObject {
  if (/PRIVATE KEY/.test(pem)) throw keyError('this is a private key; verify with the public key (.pub)', file);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw keyError(`not a PEM public key (${firstLine(error)})`, file);
  }
  requireP256(key, 'public', file);
  return key;
}

/** The public half of a private key, as SPKI PEM. */
export function publicKeyPem(privateKey: KeyObject): string {
  return createPublicKey(privateKey).export({ format: 'pem', type: 'spki' }).toString();
}

/** Base64 SHA-256 of the key's SPKI DER: the key hint Sigstore clients (cosign, sigstore-go) write. */
export function keyId(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64');
}

function requireP256(key: KeyObject, kind: string, file: string | undefined): void {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== 'ec' || curve !== 'prime256v1') {
    const what = key.asymmetricKeyType === 'ec' ? `ec ${curve}` : key.asymmetricKeyType;
    throw keyError(`the ${kind} key is ${what}; cvebuild signs and verifies with ECDSA P-256 keys`, file);
  }
}

function keyError(message: string, file: string | undefined): CvebuildError {
  return new CvebuildError('KEY_INVALID', message, file ? { file } : {});
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '';
}
