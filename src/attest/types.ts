/**
 * The contract between attestation verification and its users (the `verify` command, the
 * `attestation` check, later the proxy): what is verified, against which trust, with what result.
 */

/** A trusted publisher: the signing identity (exact or a regular expression) and its OIDC issuer. */
export interface TrustedPublisher {
  identity?: string;
  identityRegexp?: string;
  issuer: string;
}

/** The artifact a statement must name: its filename as served, and the sha256 of its bytes. */
export interface ArtifactRef {
  filename: string;
  sha256: string;
}

/** What signatures are trusted: Sigstore's production root (offline copy), a given trusted_root.json, or a local key. */
export type TrustSource =
  | { kind: 'production' }
  | { kind: 'trusted-root'; path: string }
  | {
      kind: 'public-key';
      pem: string;
      hint?: string;
      /** Where to check any transparency-log entry or timestamp a keyed bundle carries (default: production). */
      trustedRoot?: string;
    };

export interface VerifyPolicy {
  trust: TrustSource;
  /** Keyless: the signer must be one of these (identity or identity pattern, and issuer). Empty with a key trust. */
  publishers: TrustedPublisher[];
  /** CEP 27: `predicate.targetChannel` must equal the channel the package came from (URL). */
  channel?: string;
}

/** Why a bundle was rejected; one code per rule, so a gate can say exactly what failed. */
export type RejectionCode =
  | 'malformed' // not a Sigstore bundle / not DSSE / payload not an in-toto statement
  | 'signature' // the DSSE signature does not verify
  | 'certificate' // chain to the trusted CA, validity, SCT
  | 'transparency-log' // inclusion proof / SET / timestamp
  | 'identity' // signer SAN matches no trusted publisher
  | 'issuer' // OIDC issuer matches no trusted publisher
  | 'statement-type'
  | 'predicate-type'
  | 'subject-count'
  | 'subject-name'
  | 'subject-digest'
  | 'target-channel';

export interface Signer {
  /** Certificate SAN (keyless) or the key hint (keyed). */
  identity: string;
  /** OIDC issuer (keyless only). */
  issuer?: string;
}

export type VerifyOutcome =
  | { ok: true; signer: Signer; targetChannel?: string }
  | { ok: false; code: RejectionCode; reason: string };
