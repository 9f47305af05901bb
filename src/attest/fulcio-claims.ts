/**
 * The OIDC claims Fulcio copies into a signing certificate (OIDs 1.3.6.1.4.1.57264.1.8 to .22,
 * https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md), each a DER UTF8String. Read
 * from the certificate the Sigstore layer has verified, they say which repository, workflow and
 * ref a CI identity signed from: what a PyPI Trusted Publisher is checked against.
 */
import { ASN1Obj } from '@sigstore/core';

export interface FulcioClaims {
  issuer?: string;
  buildSignerUri?: string;
  buildSignerDigest?: string;
  runnerEnvironment?: string;
  sourceRepositoryUri?: string;
  sourceRepositoryDigest?: string;
  sourceRepositoryRef?: string;
  sourceRepositoryIdentifier?: string;
  sourceRepositoryOwnerUri?: string;
  sourceRepositoryOwnerIdentifier?: string;
  buildConfigUri?: string;
  buildConfigDigest?: string;
  buildTrigger?: string;
  runInvocationUri?: string;
  sourceRepositoryVisibilityAtSigning?: string;
}

const FULCIO_ARC = '1.3.6.1.4.1.57264.1.';

const CLAIM_BY_ARC: Record<number, keyof FulcioClaims> = {
  8: 'issuer',
  9: 'buildSignerUri',
  10: 'buildSignerDigest',
  11: 'runnerEnvironment',
  12: 'sourceRepositoryUri',
  13: 'sourceRepositoryDigest',
  14: 'sourceRepositoryRef',
  15: 'sourceRepositoryIdentifier',
  16: 'sourceRepositoryOwnerUri',
  17: 'sourceRepositoryOwnerIdentifier',
  18: 'buildConfigUri',
  19: 'buildConfigDigest',
  20: 'buildTrigger',
  21: 'runInvocationUri',
  22: 'sourceRepositoryVisibilityAtSigning',
};

const UTF8_STRING = 0x0c;

/** The claims among a verified certificate's extensions (@sigstore/verify's `identity.oids`: each value is the extension's DER). */
export function fulcioClaims(oids: readonly { oid?: { id: number[] }; value: Uint8Array }[]): FulcioClaims {
  const claims: FulcioClaims = {};
  for (const { oid, value } of oids) {
    const dotted = oid?.id.join('.') ?? '';
    if (!dotted.startsWith(FULCIO_ARC)) continue;
    const name = CLAIM_BY_ARC[Number(dotted.slice(FULCIO_ARC.length))];
    if (!name) continue;
    const text = utf8String(value);
    if (text !== undefined) claims[name] = text;
  }
  return claims;
}

function utf8String(der: Uint8Array): string | undefined {
  try {
    const parsed = ASN1Obj.parseBuffer(Buffer.from(der));
    return parsed.tag.isUniversal() && parsed.tag.number === UTF8_STRING
      ? new TextDecoder('utf-8', { fatal: true }).decode(parsed.value)
      : undefined;
  } catch {
    return undefined; // a claim that is not a well-formed UTF8String is not a claim
  }
}
