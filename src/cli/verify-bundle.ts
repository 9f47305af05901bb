/**
 * `cvebuild verify-bundle ARTIFACT --bundle B`: any Sigstore bundle (v0.1–v0.3, a message signature
 * or a DSSE envelope), or a PEP 740 attestation or provenance object as PyPI publishes them, against
 * the signer the flags trust (keyless: `--identity` / `--identity-regexp` and `--issuer`; keyed:
 * `--key`). A DSSE in-toto statement must name the artifact's sha256 among its subjects; a PEP 740
 * one must be about exactly the distribution, and the certificate must be the Trusted Publisher's
 * PyPI names (for a provenance object the identity flags are then optional: they pin the signer
 * further). No CEP-27 rule applies: that is `verify`.
 *
 * ARTIFACT is a file, or `sha256:<hex>` when no such file exists (the sigstore-conformance rule).
 * Exit 0 verified, 1 rejected (one line: `rejected NAME: RULE: reason`), 2 could not run.
 */
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { FulcioClaims } from '../attest/fulcio-claims.ts';
import type { Pep740Verified } from '../attest/pep740.ts';
import type { TrustSource, VerifyPolicy } from '../attest/types.ts';
import type { ArtifactDigest, SigstoreOutcome, SigstoreVerified } from '../attest/verify.ts';
import { CvebuildError } from '../errors.ts';
import { maxInputBytes, readInputBytes } from '../fs/read-input.ts';
import { toJson } from '../text/json.ts';
import { line } from '../text/plain.ts';
import {
  type CommandResult,
  describeTrust,
  EXIT_REJECTED,
  EXIT_VERIFIED,
  type VerifyCommandOptions,
  verifyPolicyFromOptions,
} from './attest.ts';

export type VerifyBundleOptions = Pick<
  VerifyCommandOptions,
  'identity' | 'identityRegexp' | 'issuer' | 'key' | 'trustedRoot' | 'format'
> & {
  bundle: string;
  /** The artifact's file name when ARTIFACT is a digest (a PEP 740 statement must name it). */
  name?: string;
};

const DIGEST_ARGUMENT = /^sha256:([0-9a-fA-F]{64})$/;

interface Artifact {
  /** The file name, or the digest argument as given. */
  name: string;
  sha256: string;
  bytes?: Uint8Array;
  isFile: boolean;
}

type Outcome =
  | { ok: true; kind: 'sigstore'; verified: SigstoreVerified; content: 'message signature' | 'DSSE envelope' }
  | { ok: true; kind: 'pep740'; verified: Pep740Verified }
  | { ok: false; code: string; reason: string };

export async function verifyBundleCommand(argument: string, options: VerifyBundleOptions): Promise<CommandResult> {
  const artifact = await readArtifact(argument);
  if (options.name !== undefined) {
    if (artifact.isFile)
      throw new CvebuildError('USAGE', '--name is for an artifact given as sha256:<hex>; a file has its own name');
    if (options.name === '' || basename(options.name) !== options.name) {
      throw new CvebuildError('USAGE', `--name takes a file name, not ${JSON.stringify(options.name)}`);
    }
    artifact.name = options.name;
  }
  const loaded = loadJson(options.bundle);
  const { pep740Kind } = await import('../attest/pep740.ts');
  const pep740 = loaded.ok ? pep740Kind(loaded.json) : undefined;
  const policy = policyFor(options, pep740 === 'provenance');
  let outcome: Outcome;
  if (!loaded.ok) {
    outcome = { ok: false, code: 'malformed', reason: loaded.reason };
  } else if (pep740) {
    if (!artifact.isFile && options.name === undefined) {
      throw new CvebuildError(
        'USAGE',
        'a PEP 740 attestation is about a named distribution file: give the wheel or sdist, or its digest with --name FILENAME',
      );
    }
    const { verifyPep740 } = await import('../attest/pep740.ts');
    const { resolveTrust } = await import('../attest/trust.ts');
    const result = verifyPep740(
      loaded.json,
      { filename: artifact.name, sha256: artifact.sha256 },
      { trust: resolveTrust(policy.trust), publishers: policy.publishers },
    );
    outcome = result.ok ? { ok: true, kind: 'pep740', verified: result.verified } : result;
  } else {
    const { verifySigstoreBundle } = await import('../attest/verify.ts');
    const { resolveTrust } = await import('../attest/trust.ts');
    const check: ArtifactDigest | Uint8Array = artifact.bytes ?? { sha256: artifact.sha256 };
    const result: SigstoreOutcome = verifySigstoreBundle(loaded.json, {
      trust: resolveTrust(policy.trust),
      publishers: policy.publishers,
      artifact: check,
    });
    outcome = result.ok
      ? {
          ok: true,
          kind: 'sigstore',
          verified: result.verified,
          content: result.verified.envelope ? 'DSSE envelope' : 'message signature',
        }
      : result;
  }
  return render(outcome, artifact, policy, options.format);
}

/** A file, else a `sha256:<hex>` digest (only when no file has that name). */
async function readArtifact(argument: string): Promise<Artifact> {
  const digest = DIGEST_ARGUMENT.exec(argument);
  if (digest && !existsSync(argument)) {
    return { name: argument, sha256: (digest[1] as string).toLowerCase(), isFile: false };
  }
  const { sha256File } = await import('../attest/sign.ts');
  const sha256 = await sha256File(argument);
  // a file past the input limit is checked by its digest alone (prehashed ECDSA for a message signature)
  const bytes = statSync(argument).size <= maxInputBytes() ? readInputBytes(argument) : undefined;
  return { name: basename(argument), sha256, ...(bytes ? { bytes } : {}), isFile: true };
}

/** The flags' trust; a PEP 740 provenance names its publisher, so there the identity flags are optional. */
function policyFor(options: VerifyBundleOptions, provenance: boolean): VerifyPolicy {
  const pinned = options.key || options.identity || options.identityRegexp || options.issuer;
  if (provenance && !pinned) {
    const trust: TrustSource = options.trustedRoot
      ? { kind: 'trusted-root', path: options.trustedRoot }
      : { kind: 'production' };
    return { trust, publishers: [] };
  }
  return verifyPolicyFromOptions({ ...options, format: options.format });
}

function loadJson(path: string): { ok: true; json: unknown } | { ok: false; reason: string } {
  const bytes = readInputBytes(path);
  try {
    return { ok: true, json: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch (error) {
    return { ok: false, reason: `${basename(path)} is not JSON: ${(error as Error).message}` };
  }
}

async function render(
  outcome: Outcome,
  artifact: Artifact,
  policy: VerifyPolicy,
  format: 'text' | 'json',
): Promise<CommandResult> {
  const exitCode = outcome.ok ? EXIT_VERIFIED : EXIT_REJECTED;
  const trust = await describeTrust(policy.trust);
  const subject = { name: artifact.name, sha256: artifact.sha256, given: artifact.isFile ? 'file' : 'digest' };
  if (format === 'json') {
    if (!outcome.ok) {
      const document = { verified: false, artifact: subject, code: outcome.code, reason: outcome.reason, trust };
      return { text: `${toJson(document)}\n`, exitCode };
    }
    const { verified } = outcome;
    const common = {
      verified: true,
      artifact: subject,
      signer: verified.signer,
      certificateClaims: verified.claims ?? null,
      signedAt: verified.signedAt?.toISOString() ?? null,
      transparencyLog: verified.tlogEntry ?? null,
      trust,
    };
    const document =
      outcome.kind === 'pep740'
        ? {
            ...common,
            kind: 'pep740',
            publisher: outcome.verified.publisher ?? null,
            publisherPinned: policy.publishers.length > 0 || policy.trust.kind === 'public-key',
            predicateTypes: outcome.verified.predicateTypes,
            attestations: outcome.verified.attestations,
          }
        : {
            ...common,
            kind: 'sigstore',
            content: outcome.content,
            keyed: outcome.verified.keyed,
            payloadType: outcome.verified.envelope?.payloadType ?? null,
            predicateType: predicateType(outcome.verified) ?? null,
          };
    return { text: `${toJson(document)}\n`, exitCode };
  }
  if (!outcome.ok)
    return { text: `${line`rejected ${artifact.name}: ${outcome.code}: ${outcome.reason}`}\n`, exitCode };
  const { verified } = outcome;
  const signer = verified.signer.issuer
    ? line`${verified.signer.identity} (issuer ${verified.signer.issuer})`
    : line`key ${verified.signer.identity}`;
  const lines =
    outcome.kind === 'pep740'
      ? [
          line`verified ${artifact.name} (PEP 740: ${String(outcome.verified.attestations)} attestation(s), ${outcome.verified.predicateTypes.join(', ')})`,
          line`  sha256    ${artifact.sha256}`,
          outcome.verified.publisher
            ? line`  publisher ${describePypiPublisher(outcome.verified.publisher)}${policy.publishers.length > 0 ? '' : ' (as PyPI names it; pin with --identity/--issuer)'}`
            : '',
          `  signer    ${signer}`,
          ...sourceLines(verified.claims),
        ]
      : [
          line`verified ${artifact.name} (Sigstore bundle, ${outcome.content}${predicateType(outcome.verified) ? `, ${predicateType(outcome.verified)}` : ''})`,
          line`  sha256    ${artifact.sha256}${artifact.isFile ? '' : ' (given as a digest)'}`,
          `  signer    ${signer}`,
          ...sourceLines(verified.claims),
        ];
  lines.push(
    verified.signedAt
      ? line`  signed    ${verified.signedAt.toISOString()}${verified.tlogEntry ? ` (transparency log entry ${verified.tlogEntry.logIndex})` : ''}`
      : '  signed    no timestamp (keyed bundle)',
    line`  trust     ${trust}`,
  );
  return { text: `${lines.filter(Boolean).join('\n')}\n`, exitCode };
}

function sourceLines(claims: FulcioClaims | undefined): string[] {
  if (!claims?.sourceRepositoryUri) return [];
  const at = claims.sourceRepositoryRef ?? claims.sourceRepositoryDigest;
  return [
    line`  source    ${claims.sourceRepositoryUri}${at ? ` at ${at}` : ''}`,
    ...(claims.runInvocationUri ? [line`  run       ${claims.runInvocationUri}`] : []),
  ];
}

function describePypiPublisher(publisher: Record<string, unknown>): string {
  const fields = ['repository', 'workflow', 'workflow_filepath', 'email', 'environment']
    .filter((key) => typeof publisher[key] === 'string' && publisher[key] !== '')
    .map((key) => `${key} ${String(publisher[key])}`);
  return `${String(publisher.kind)}: ${fields.join(', ')}`;
}

function predicateType(verified: SigstoreVerified): string | undefined {
  if (!verified.envelope) return undefined;
  try {
    const statement = JSON.parse(verified.envelope.payload.toString('utf8')) as { predicateType?: unknown };
    return typeof statement.predicateType === 'string' ? statement.predicateType : undefined;
  } catch {
    return undefined;
  }
}
