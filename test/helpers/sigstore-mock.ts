/**
 * A private Sigstore on loopback: @sigstore/mock's Fulcio (CA + CT log) and Rekor behind one HTTP
 * server on 127.0.0.1 (port 0), the trusted_root.json that trusts them, and fake OIDC tokens.
 *
 * Two things the mock does not do by itself:
 * - It stores the *proposed* Rekor entry as the log body. Real Rekor turns a `dsse` proposal into
 *   envelope/payload hashes plus signatures and stores that; verifiers compare against the stored
 *   form, so the server performs the same canonicalization before handing the entry to the mock.
 * - It has no TUF repository, so `trustedRoot()` builds the root from the mock's keys.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fulcioHandler, initializeCA, initializeCTLog, initializeTLog, rekorHandler } from '@sigstore/mock';
import type { VerifyPolicy } from '../../src/attest/types.ts';
import { tempDirectory } from './temp.ts';

export const MOCK_ISSUER = 'https://token.actions.githubusercontent.com';
export const MOCK_IDENTITY =
  'https://github.com/conda-forge/zlib-feedstock/.github/workflows/build.yml@refs/heads/main';

export interface MockSigstore {
  /** Base URL of the server; Fulcio and Rekor share it (`/api/v2/signingCert`, `/api/v1/log/entries`). */
  url: string;
  fulcioUrl: string;
  rekorUrl: string;
  /** The trusted_root.json (object) trusting the mock's CA, CT log and Rekor key. */
  trustedRoot: Record<string, unknown>;
  /** The trusted root written to a temporary file. */
  trustedRootPath: string;
  /** How many requests each path received. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

type HandlerFn = (
  body: string,
) => Promise<{ statusCode: number; response: string | ArrayBufferView; contentType?: string }>;

/** A fake OIDC token (unsigned JWT; the mock Fulcio does not check signatures). `sub` becomes the certificate SAN. */
export function fakeIdentityToken(identity = MOCK_IDENTITY, issuer = MOCK_ISSUER): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return [
    part({ alg: 'none', typ: 'JWT' }),
    part({ iss: issuer, sub: identity, aud: 'sigstore', iat: now, exp: now + 600 }),
    'sig',
  ].join('.');
}

export async function startMockSigstore(): Promise<MockSigstore> {
  const keyPair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caKeys = keyPair();
  const ctlog = await initializeCTLog(caKeys);
  const ca = await initializeCA(caKeys, ctlog);
  const requests = new Map<string, number>();

  // The Rekor URL is part of the log's identity and only known once the server listens: the
  // Rekor route is installed right after, before the server is handed out.
  let rekor: { path: string; fn: HandlerFn } | undefined;
  const fulcio = fulcioHandler(ca, { strict: true }) as { path: string; fn: HandlerFn };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      requests.set(path, (requests.get(path) ?? 0) + 1);
      let body = Buffer.concat(chunks).toString('utf8');
      let handler: HandlerFn | undefined;
      if (request.method === 'POST' && path === fulcio.path) handler = fulcio.fn;
      else if (request.method === 'POST' && rekor && path === rekor.path) {
        handler = rekor.fn;
        body = canonicalizeDsseProposal(body);
      }
      if (!handler) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      handler(body).then(
        (result) => {
          const payload = typeof result.response === 'string' ? result.response : Buffer.from(result.response.buffer);
          response.writeHead(result.statusCode, { 'content-type': result.contentType ?? 'text/plain' }).end(payload);
        },
        (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error)),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tlog = await initializeTLog(url, keyPair());
  rekor = rekorHandler(tlog, { strict: true }) as { path: string; fn: HandlerFn };

  const start = new Date(Date.now() - 3_600_000).toISOString();
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: tlog.publicKey.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: createHash('sha256').update(tlog.publicKey).digest('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: Buffer.from(ca.rootCertificate.buffer).toString('base64') }] },
        validFor: { start },
      },
    ],
    ctlogs: [
      {
        baseUrl: `${url}/ct`,
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: ctlog.publicKey.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start },
        },
        logId: { keyId: Buffer.from(ctlog.logID.buffer).toString('base64') },
      },
    ],
    timestampAuthorities: [],
  };
  const trustedRootPath = join(tempDirectory(), 'mock-trusted_root.json');
  writeFileSync(trustedRootPath, JSON.stringify(trustedRoot, null, 2));

  return {
    url,
    fulcioUrl: url,
    rekorUrl: url,
    trustedRoot,
    trustedRootPath,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** What real Rekor stores for a `dsse` proposal: envelope and payload hashes, and the signatures with their verifier. */
function canonicalizeDsseProposal(body: string): string {
  try {
    return canonicalDsse(body);
  } catch {
    return body; // not a dsse proposal the mock can read: let the mock reject it
  }
}

function canonicalDsse(body: string): string {
  const entry = JSON.parse(body) as {
    kind: string;
    spec: { proposedContent?: { envelope: string; verifiers: string[] } };
  };
  if (entry.kind !== 'dsse' || !entry.spec.proposedContent) return body;
  const { envelope: envelopeText, verifiers } = entry.spec.proposedContent;
  const envelope = JSON.parse(envelopeText) as { payload: string; signatures: { sig: string }[] };
  const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
  const spec = {
    envelopeHash: { algorithm: 'sha256', value: sha256(envelopeText) },
    payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(envelope.payload, 'base64')) },
    signatures: envelope.signatures.map((signature) => ({ signature: signature.sig, verifier: verifiers[0] })),
  };
  return JSON.stringify({ ...entry, spec });
}

/** Signing options that sign keyless against this mock, as `identity` (a fresh fake token). */
export function keylessSigning(
  mock: MockSigstore,
  identity = MOCK_IDENTITY,
): { fulcioUrl: string; rekorUrl: string; identityToken: string } {
  return { fulcioUrl: mock.fulcioUrl, rekorUrl: mock.rekorUrl, identityToken: fakeIdentityToken(identity) };
}

/** The `cvebuild sign` flags that do the same. */
export function keylessFlags(mock: MockSigstore, identity = MOCK_IDENTITY): string[] {
  const { fulcioUrl, rekorUrl, identityToken } = keylessSigning(mock, identity);
  return ['--identity-token', identityToken, '--fulcio-url', fulcioUrl, '--rekor-url', rekorUrl];
}

/** A verification policy that trusts this mock and its default publisher, for one channel. */
export function mockVerifyPolicy(mock: MockSigstore, channel: string): VerifyPolicy {
  return {
    trust: { kind: 'trusted-root', path: mock.trustedRootPath },
    publishers: [{ identity: MOCK_IDENTITY, issuer: MOCK_ISSUER }],
    channel,
  };
}
