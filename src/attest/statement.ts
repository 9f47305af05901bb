/**
 * The CEP-27 publish attestation: an in-toto Statement v1 about exactly one conda artifact,
 * named by its filename and sha256, with the channel it was published to.
 */
import type { ArtifactRef } from './types.ts';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const CEP27_PREDICATE_TYPE = 'https://schemas.conda.org/attestations-publish-1.schema.json';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** The file names CEP 27 attests: conda's two archive formats. */
export const CONDA_ARTIFACT = /\.(conda|tar\.bz2)$/;

/** Sigstore's public-good instance (the same defaults as @sigstore/sign, kept here so the CLI need not load it to print them). */
export const DEFAULT_FULCIO_URL = 'https://fulcio.sigstore.dev';
export const DEFAULT_REKOR_URL = 'https://rekor.sigstore.dev';

export interface PublishStatement {
  _type: typeof STATEMENT_TYPE;
  subject: [{ name: string; digest: { sha256: string } }];
  predicateType: typeof CEP27_PREDICATE_TYPE;
  predicate: { targetChannel: string };
}

/** The statement for an artifact published to `targetChannel` (a URL; CEP 27 forbids a trailing slash). */
export function publishStatement(artifact: ArtifactRef, targetChannel: string): PublishStatement {
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: artifact.filename, digest: { sha256: artifact.sha256.toLowerCase() } }],
    predicateType: CEP27_PREDICATE_TYPE,
    predicate: { targetChannel: targetChannel.replace(/\/+$/, '') },
  };
}
