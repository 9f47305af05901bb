/**
 * Uploading a signed package to a prefix.dev channel (its upload API, as `rattler-build upload
 * prefix` and `pixi upload prefix` use it: a multipart POST to `/api/v1/upload/<channel>` with the
 * file, its `X-File-Name` and `X-File-SHA256`, and the Sigstore bundle as `attestation`). Before
 * anything is sent, the bundle must be about these exact bytes, for this channel.
 */
import { existsSync, openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { parsePrivateKey, publicKeyPem } from '../attest/keys.ts';
import { checkStatement, verifyAttestation } from '../attest/verify.ts';
import { CvebuildError } from '../errors.ts';
import { readTextInput } from '../fs/read-input.ts';

export interface PublishTarget {
  /** The prefix.dev server (https://prefix.dev, or a self-hosted one). */
  server: string;
  channel: string;
  /** The channel URL the attestation must name as `targetChannel`. */
  channelUrl: string;
  /** The upload token ($PREFIX_API_KEY). */
  token: string;
}

export const PUBLISH_TOKEN_VARIABLE = 'PREFIX_API_KEY';

/** Checks the bundle beside the artifact: verified with the operator's key, else its statement read. */
export function checkBundle(
  file: string,
  sha256: string,
  channelUrl: string,
  keyFile?: string,
): { bundleFile: string; verified: 'signature' | 'statement' } {
  const bundleFile = `${file}.sigstore.json`;
  if (!existsSync(bundleFile))
    throw new CvebuildError('USAGE', 'not signed: no Sigstore bundle beside it (sign_artifact first)', { file });
  let bundle: unknown;
  try {
    bundle = JSON.parse(readTextInput(bundleFile));
  } catch {
    throw new CvebuildError('JSON_SYNTAX', 'not a Sigstore bundle', { file: bundleFile });
  }
  const artifact = { filename: basename(file), sha256 };
  if (keyFile) {
    const pem = publicKeyPem(parsePrivateKey(readTextInput(keyFile), keyFile));
    const outcome = verifyAttestation(bundle, artifact, {
      trust: { kind: 'public-key', pem },
      publishers: [],
      channel: channelUrl,
    });
    if (!outcome.ok)
      throw new CvebuildError('USAGE', `the bundle does not verify: ${outcome.reason}`, { file: bundleFile });
    return { bundleFile, verified: 'signature' };
  }
  // keyless: the channel verifies the certificate on upload; here the statement must name these bytes
  const envelope = (bundle as { dsseEnvelope?: { payloadType?: string; payload?: string } }).dsseEnvelope;
  if (!envelope?.payload || !envelope.payloadType)
    throw new CvebuildError('USAGE', 'the bundle holds no DSSE envelope', { file: bundleFile });
  const checked = checkStatement(
    { payloadType: envelope.payloadType, payload: Buffer.from(envelope.payload, 'base64') },
    artifact,
    channelUrl,
  );
  if ('ok' in checked && checked.ok === false)
    throw new CvebuildError('USAGE', `the bundle is not about this file: ${checked.reason}`, { file: bundleFile });
  return { bundleFile, verified: 'statement' };
}

export async function uploadToPrefix(
  file: string,
  sha256: string,
  bundleFile: string,
  target: PublishTarget,
  signal: AbortSignal,
): Promise<{ url: string; status: number }> {
  const url = new URL(
    `api/v1/upload/${encodeURIComponent(target.channel)}`,
    target.server.endsWith('/') ? target.server : `${target.server}/`,
  );
  const form = new FormData();
  const name = basename(file);
  // a file-backed Blob: the archive streams from disk rather than being read into memory
  const blob = await openAsBlob(file, { type: 'application/octet-stream' });
  form.append('file', new File([blob], name, { type: 'application/octet-stream' }));
  form.append('attestation', readTextInput(bundleFile));
  const response = await fetch(url, {
    method: 'POST',
    body: form,
    headers: { authorization: `Bearer ${target.token}`, 'x-file-name': name, 'x-file-sha256': sha256 },
    signal,
  });
  const body = (await response.text()).slice(0, 300).replace(/\s+/g, ' ');
  if (response.status === 401 || response.status === 403)
    throw new CvebuildError('USAGE', `the channel refused the upload token (HTTP ${response.status}): ${body}`);
  if (response.status === 409) throw new CvebuildError('USAGE', `the channel already has ${name} (HTTP 409)`);
  if (!response.ok) throw new CvebuildError('USAGE', `the upload failed (HTTP ${response.status}): ${body}`);
  return { url: url.href, status: response.status };
}
