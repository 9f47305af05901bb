/**
 * A message signature checked against the artifact's SHA-256 digest alone, for a caller that has
 * the digest but not the bytes (`verify-bundle sha256:<hex>`, the sigstore-conformance digest
 * flow). ECDSA signs the hash of the message, so the signature can be checked against a given
 * hash; Node's crypto always hashes what it is given, so the check uses @noble/curves with
 * `prehash: false`. Only ECDSA keys (P-256, P-384, P-521) can be checked this way: RSA and Ed25519
 * bundles need the artifact itself.
 */
import type { KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import type { MessageSignature } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';

/** Thrown from `verifySignature` when the key cannot check a signature over a digest alone. */
export class DigestOnlyUnsupported extends Error {}

/** @sigstore/verify's `SignatureContent`, for a message signature and a SHA-256 digest (32 bytes). */
export class DigestSignatureContent {
  readonly signature: Buffer;
  private readonly messageDigest: Buffer;
  private readonly digest: Buffer;

  constructor(messageSignature: MessageSignature, digest: Buffer) {
    this.digest = digest;
    this.signature = Buffer.from(messageSignature.signature);
    this.messageDigest = Buffer.from(messageSignature.messageDigest?.digest ?? []);
  }

  compareSignature(signature: Buffer): boolean {
    return bufferEqual(signature, this.signature);
  }

  compareDigest(digest: Buffer): boolean {
    return bufferEqual(digest, this.messageDigest);
  }

  compareSignedDigest(digest: Buffer): boolean {
    return this.compareDigest(digest);
  }

  verifySignature(key: KeyObject): boolean {
    const curve = curveOf(key);
    const jwk = key.export({ format: 'jwk' });
    if (!jwk.x || !jwk.y) throw new DigestOnlyUnsupported('the signing key has no EC point');
    const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
    try {
      return curve.verify(this.signature, this.digest, point, { prehash: false, format: 'der', lowS: false });
    } catch {
      return false; // an unparseable DER signature or point is a signature that does not verify
    }
  }
}

/** The bundle signed a SHA-256 digest (the only digest a `sha256:` argument can name). */
export function signsSha256(messageSignature: MessageSignature): boolean {
  const algorithm = messageSignature.messageDigest?.algorithm;
  return (
    algorithm === undefined ||
    algorithm === HashAlgorithm.SHA2_256 ||
    algorithm === HashAlgorithm.HASH_ALGORITHM_UNSPECIFIED
  );
}

function curveOf(key: KeyObject): typeof p256 {
  if (key.asymmetricKeyType !== 'ec') {
    throw new DigestOnlyUnsupported(`a ${key.asymmetricKeyType ?? 'non-EC'} key`);
  }
  switch (key.asymmetricKeyDetails?.namedCurve) {
    case 'prime256v1':
      return p256;
    case 'secp384r1':
      return p384;
    case 'secp521r1':
      return p521;
    default:
      throw new DigestOnlyUnsupported(`an EC key on ${key.asymmetricKeyDetails?.namedCurve ?? 'an unknown curve'}`);
  }
}

function bufferEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.equals(b);
}
