/**
 * `cvebuild keygen`, `cvebuild sign` and `cvebuild verify`: CEP-27 attestations for conda artifacts.
 *
 * - `keygen --out PREFIX` writes PREFIX.key (PKCS#8, mode 0600) and PREFIX.pub (SPKI), never over
 *   existing files.
 * - `sign PKG --channel URL` writes one Sigstore bundle to `PKG.sigstore.json` (or `--output`), or
 *   with `--sidecar` appends it to the `.sigs` JSON array served next to the package (CEP #142).
 * - `verify PKG` checks a bundle or a sidecar against a trust (keyless: issuer + identity, required;
 *   keyed: `--key`). Exit 0 verified, 1 rejected (one line: code and reason), 2 could not run.
 *   `verify PKG... --bundle provenance.intoto.sigstore.json` checks a build's SLSA provenance the
 *   same way, and that every package given is one of its subjects.
 *
 * `verifyLoaded` is the seam for bundles that come from elsewhere (a channel): it takes the
 * artifact, the parsed bundle(s) and the policy, and returns the text and exit code.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { findSidecar } from '../attest/fetch.ts';
import { generateKeyPair, keyId, parsePublicKey } from '../attest/keys.ts';
import { SLSA_PROVENANCE_PREDICATE_TYPE } from '../attest/provenance.ts';
import { CONDA_ARTIFACT, DEFAULT_REKOR_URL } from '../attest/statement.ts';
import type { ArtifactRef, TrustSource, VerifyPolicy } from '../attest/types.ts';
import type { SidecarOutcome } from '../attest/verify.ts';
import type { TrustedPublisher } from '../checks/check.ts';
import { CvebuildError } from '../errors.ts';
import { checkOutputFile, writeOutputFile } from '../fs/output-file.ts';
import { readInputBytes, readTextInput } from '../fs/read-input.ts';
import { defaultCacheDirectory } from '../intel/paths.ts';
import { toJson } from '../text/json.ts';
import { line } from '../text/plain.ts';

export const EXIT_VERIFIED = 0;
export const EXIT_REJECTED = 1;

export interface SignCommandOptions {
  channel: string;
  key?: string;
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  output?: string;
  sidecar?: string | boolean;
  force?: boolean;
}

export interface VerifyCommandOptions {
  bundle?: string;
  /** The package's download URL in its channel: its sidecar is fetched from there (CEP #142). */
  url?: string;
  channel?: string;
  identity?: string;
  identityRegexp?: string;
  issuer?: string;
  key?: string;
  trustedRoot?: string;
  format: 'text' | 'json';
}

export interface CommandResult {
  text: string;
  exitCode: number;
}

/** `keygen`: refuses to overwrite either file; the private key is created with mode 0600. */
export function keygenCommand(prefix: string): string {
  const privatePath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path))
      throw new CvebuildError('USAGE', 'already exists; keygen never overwrites a key', { file: path });
  }
  const pair = generateKeyPair();
  writeNew(privatePath, pair.privateKeyPem, 0o600);
  writeNew(publicPath, pair.publicKeyPem, 0o644);
  const id = keyId(parsePublicKey(pair.publicKeyPem));
  return `${line`wrote ${privatePath} (private key: keep it secret) and ${publicPath} (public key sha256:${id})`}\n`;
}

/** `sign`: returns the summary; the bundle goes to a file, a sidecar, or (`--output -`) to `emit`. */
export async function signCommand(
  path: string,
  options: SignCommandOptions,
  emit: (text: string) => void,
): Promise<string> {
  if (options.key && (options.identityToken || options.fulcioUrl || options.rekorUrl)) {
    throw new CvebuildError(
      'USAGE',
      '--key signs offline; it cannot be combined with --identity-token, --fulcio-url or --rekor-url',
    );
  }
  if (options.output !== undefined && options.sidecar !== undefined) {
    throw new CvebuildError('USAGE', 'give --output or --sidecar, not both');
  }
  if (!CONDA_ARTIFACT.test(basename(path))) {
    throw new CvebuildError('INPUT_UNRECOGNIZED', 'not a conda artifact: CEP 27 signs .conda and .tar.bz2 files', {
      file: path,
    });
  }
  const sidecar = options.sidecar === true ? `${path}.sigs` : options.sidecar || undefined;
  const target = sidecar ?? options.output ?? `${path}.sigstore.json`;
  if (!sidecar && target !== '-' && !options.force && existsSync(target)) {
    throw new CvebuildError('USAGE', 'already exists (pass --force to overwrite, or --sidecar to append)', {
      file: target,
    });
  }
  // before signing: a keyless signature is logged in public for good, even if its bundle then cannot be written
  if (!sidecar && target !== '-') checkOutputFile(target);
  const existing = sidecar ? readSidecarForAppend(sidecar) : undefined;
  // the Sigstore libraries load only for the commands that use them, not on every CLI start
  const { signArtifact } = await import('../attest/sign.ts');
  const signed = await signArtifact(path, {
    channel: options.channel,
    ...(options.key
      ? { keyed: { privateKeyPem: readTextInput(options.key) } }
      : {
          keyless: {
            ...(options.identityToken ? { identityToken: options.identityToken } : {}),
            ...(options.fulcioUrl ? { fulcioUrl: options.fulcioUrl } : {}),
            ...(options.rekorUrl ? { rekorUrl: options.rekorUrl } : {}),
          },
        }),
  });
  if (sidecar) {
    writeOutputFile(sidecar, `${JSON.stringify([...(existing ?? []), signed.bundle])}\n`, { replacing: sidecar });
  } else if (target === '-') {
    emit(`${JSON.stringify(signed.bundle)}\n`);
  } else {
    writeOutputFile(target, `${JSON.stringify(signed.bundle)}\n`);
  }
  const signer = signed.signer.issuer
    ? line`${signed.signer.identity} (issuer ${signed.signer.issuer})`
    : line`key ${signed.signer.identity}`;
  const lines = [
    line`signed ${signed.artifact.filename}`,
    line`  sha256   ${signed.artifact.sha256}`,
    line`  channel  ${signed.statement.predicate.targetChannel}`,
    `  signer   ${signer}`,
    signed.logIndex !== undefined
      ? line`  logged   ${options.rekorUrl ?? DEFAULT_REKOR_URL} entry ${signed.logIndex}`
      : '  logged   not logged (keyed signing is offline)',
    target === '-' ? '' : line`  bundle   ${target}${sidecar ? ` (${(existing?.length ?? 0) + 1} bundle(s))` : ''}`,
  ];
  const summary = `${lines.filter(Boolean).join('\n')}\n`;
  if (target === '-') {
    process.stderr.write(summary);
    return '';
  }
  return summary;
}

/**
 * `verify`: loads the package digest and the bundle(s), then `verifyLoaded`. A `--bundle` holding a
 * build's SLSA provenance (told by its predicate type) is checked against every package given.
 */
export async function verifyCommand(
  paths: string | readonly string[],
  options: VerifyCommandOptions,
): Promise<CommandResult> {
  const packages = typeof paths === 'string' ? [paths] : paths;
  const [path] = packages;
  if (path === undefined) throw new CvebuildError('USAGE', 'give the package(s) to verify');
  const channel = options.channel ?? (options.url ? channelOfUrl(options.url) : undefined);
  const policy = verifyPolicyFromOptions({ ...options, channel });
  const { sha256File } = await import('../attest/sign.ts');
  const loaded = options.bundle ? loadBundles(options.bundle) : undefined;
  if (loaded?.ok) {
    const { isProvenanceBundle } = await import('../attest/verify-provenance.ts');
    if (isProvenanceBundle(loaded.bundles)) {
      if (channel !== undefined)
        throw new CvebuildError(
          'USAGE',
          '--channel and --url check a CEP-27 attestation; a build provenance names no channel to check',
        );
      const artifacts: ArtifactRef[] = [];
      for (const file of packages) artifacts.push({ filename: basename(file), sha256: await sha256File(file) });
      return verifyProvenanceLoaded(artifacts, loaded.bundles, policy, options.format);
    }
  }
  if (packages.length > 1)
    throw new CvebuildError(
      'USAGE',
      'a CEP-27 attestation is about one package: give one (several are checked together only against a build provenance, --bundle provenance.intoto.sigstore.json)',
    );
  const artifact: ArtifactRef = { filename: basename(path), sha256: await sha256File(path) };
  if (!options.bundle && options.url) return verifyFromChannel(artifact, options.url, policy, options.format);
  const bundles = loaded ?? loadBundles(defaultBundlePath(path));
  if (!bundles.ok) {
    const outcome: SidecarOutcome = { ok: false, code: 'malformed', reason: bundles.reason, rejections: [] };
    return renderVerification(outcome, artifact, policy, options.format);
  }
  return verifyLoaded(artifact, bundles.bundles, policy, options.format);
}

/** A build provenance against the packages it should name: verified, then rendered. */
async function verifyProvenanceLoaded(
  artifacts: ArtifactRef[],
  bundle: unknown,
  policy: VerifyPolicy,
  format: 'text' | 'json',
): Promise<CommandResult> {
  const { verifyProvenance } = await import('../attest/verify-provenance.ts');
  const outcome = verifyProvenance(bundle, artifacts, policy);
  const exitCode = outcome.ok ? EXIT_VERIFIED : EXIT_REJECTED;
  const trust = await describeTrust(policy.trust);
  const names = artifacts.map((artifact) => artifact.filename).join(', ');
  if (format === 'json') {
    const document = outcome.ok
      ? {
          verified: true,
          kind: 'slsa-provenance',
          predicateType: SLSA_PROVENANCE_PREDICATE_TYPE,
          artifacts: outcome.details.matched.map(({ artifact, subject }) => ({ ...artifact, subject })),
          subjects: outcome.details.subjects,
          buildType: outcome.details.buildType,
          builder: outcome.details.builder,
          invocationId: outcome.details.invocationId ?? null,
          startedOn: outcome.details.startedOn ?? null,
          finishedOn: outcome.details.finishedOn ?? null,
          externalParameters: outcome.details.externalParameters,
          internalParameters: outcome.details.internalParameters ?? null,
          resolvedDependencies: outcome.details.resolvedDependencies,
          signer: outcome.signer,
          signedAt: outcome.details.signedAt?.toISOString() ?? null,
          transparencyLog: outcome.details.tlogEntry ?? null,
          trust,
        }
      : { verified: false, kind: 'slsa-provenance', artifacts, code: outcome.code, reason: outcome.reason, trust };
    return { text: `${toJson(document)}\n`, exitCode };
  }
  if (!outcome.ok) return { text: `${line`rejected ${names}: ${outcome.code}: ${outcome.reason}`}\n`, exitCode };
  const { signer, details } = outcome;
  const external = details.externalParameters;
  const recipe = external.recipe as { path?: unknown; digest?: { sha256?: unknown } } | undefined;
  const withSha256 = details.resolvedDependencies.filter(
    (dependency) => typeof (dependency.digest as { sha256?: unknown } | undefined)?.sha256 === 'string',
  ).length;
  const lines = [
    line`verified ${names} against the build provenance (SLSA Provenance v1)`,
    ...details.matched.map(
      ({ artifact, subject }) =>
        line`  subject  ${subject} sha256 ${artifact.sha256}${subject === artifact.filename ? '' : ` (given as ${artifact.filename})`}`,
    ),
    line`  builder  ${details.builder.id}`,
    line`  type     ${details.buildType}`,
    ...(recipe ? [line`  recipe   ${String(recipe.path ?? '?')} sha256 ${String(recipe.digest?.sha256 ?? '?')}`] : []),
    ...(typeof external.targetPlatform === 'string' ? [line`  platform ${external.targetPlatform}`] : []),
    line`  inputs   ${details.resolvedDependencies.length} resolved dependencies, ${withSha256} with sha256`,
    ...(details.startedOn || details.finishedOn
      ? [line`  built    ${details.startedOn ?? '?'} to ${details.finishedOn ?? '?'}`]
      : []),
    ...(details.invocationId ? [line`  run      ${details.invocationId}`] : []),
    `  signer   ${signer.issuer ? line`${signer.identity} (issuer ${signer.issuer})` : line`key ${signer.identity}`}`,
    details.signedAt
      ? line`  signed   ${details.signedAt.toISOString()}${details.tlogEntry ? ` (transparency log entry ${details.tlogEntry.logIndex})` : ''}`
      : '  signed   no timestamp (keyed bundle)',
    line`  trust    ${trust}`,
  ];
  return { text: `${lines.join('\n')}\n`, exitCode };
}

/** `--url`: the sidecar from the channel; none there is a rejection (exit 1), a failed retrieval exit 2. */
async function verifyFromChannel(
  artifact: ArtifactRef,
  url: string,
  policy: VerifyPolicy,
  format: 'text' | 'json',
): Promise<CommandResult> {
  if (basename(new URL(url).pathname) !== artifact.filename) {
    throw new CvebuildError('USAGE', `--url names ${basename(new URL(url).pathname)}, not ${artifact.filename}`);
  }
  const sidecar = await findSidecar(
    { filename: artifact.filename, url },
    { bundleDirs: [], cacheDir: defaultCacheDirectory(), offline: false },
  );
  if (sidecar.status === 'failed' || sidecar.status === 'offline') {
    throw new CvebuildError(
      'NETWORK',
      `could not retrieve the attestations: ${sidecar.status === 'failed' ? sidecar.reason : 'offline'}`,
    );
  }
  if (sidecar.status === 'none') {
    const outcome: SidecarOutcome = {
      ok: false,
      code: 'malformed',
      reason: `the channel has no attestation for it (tried ${sidecar.tried.join(', ')})`,
      rejections: [],
    };
    return renderVerification(outcome, artifact, policy, format);
  }
  return verifyLoaded(artifact, sidecar.bundles, policy, format);
}

/** `https://host/channel/linux-64/pkg.conda` → `https://host/channel`. */
function channelOfUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CvebuildError('USAGE', `--url: not a URL: ${JSON.stringify(url)}`);
  }
  const segments = parsed.pathname.split('/').filter(Boolean);
  if (segments.length < 3) throw new CvebuildError('USAGE', `--url: expected CHANNEL/SUBDIR/FILE, got ${url}`);
  parsed.pathname = `/${segments.slice(0, -2).join('/')}`;
  parsed.search = '';
  return parsed.toString().replace(/\/+$/, '');
}

/** The seam for bundles obtained elsewhere (a channel's `.sigs`): verify and render. */
export async function verifyLoaded(
  artifact: ArtifactRef,
  bundles: unknown,
  policy: VerifyPolicy,
  format: 'text' | 'json' = 'text',
): Promise<CommandResult> {
  const { verifySidecar } = await import('../attest/verify.ts');
  return renderVerification(verifySidecar(bundles, artifact, policy), artifact, policy, format);
}

/** The policy the flags describe. Keyless needs an issuer and an identity (exact or pattern): there is no "anyone". */
export function verifyPolicyFromOptions(options: VerifyCommandOptions): VerifyPolicy {
  const channel = options.channel ? { channel: options.channel } : {};
  if (options.key) {
    if (options.identity || options.identityRegexp || options.issuer) {
      throw new CvebuildError(
        'USAGE',
        '--key verifies a keyed bundle; --identity, --identity-regexp and --issuer are for keyless ones',
      );
    }
    const pem = readTextInput(options.key);
    parsePublicKey(pem, options.key);
    const trust: TrustSource = {
      kind: 'public-key',
      pem,
      ...(options.trustedRoot ? { trustedRoot: options.trustedRoot } : {}),
    };
    return { trust, publishers: [], ...channel };
  }
  if (!options.issuer || (!options.identity && !options.identityRegexp)) {
    throw new CvebuildError(
      'USAGE',
      'keyless verification needs --issuer and one of --identity / --identity-regexp (or --key for keyed bundles)',
    );
  }
  if (options.identity && options.identityRegexp) {
    throw new CvebuildError('USAGE', 'give --identity or --identity-regexp, not both');
  }
  const publisher: TrustedPublisher = options.identity
    ? { identity: options.identity, issuer: options.issuer }
    : { identityRegexp: options.identityRegexp as string, issuer: options.issuer };
  const trust: TrustSource = options.trustedRoot
    ? { kind: 'trusted-root', path: options.trustedRoot }
    : { kind: 'production' };
  return { trust, publishers: [publisher], ...channel };
}

export async function renderVerification(
  outcome: SidecarOutcome,
  artifact: ArtifactRef,
  policy: VerifyPolicy,
  format: 'text' | 'json',
): Promise<CommandResult> {
  const exitCode = outcome.ok ? EXIT_VERIFIED : EXIT_REJECTED;
  const trust = await describeTrust(policy.trust);
  if (format === 'json') {
    const document = outcome.ok
      ? {
          verified: true,
          artifact,
          signer: outcome.signer,
          targetChannel: outcome.targetChannel ?? null,
          channelChecked: policy.channel !== undefined,
          signedAt: outcome.details.signedAt?.toISOString() ?? null,
          transparencyLog: outcome.details.tlogEntry ?? null,
          bundleIndex: outcome.index,
          trust,
        }
      : {
          verified: false,
          artifact,
          code: outcome.code,
          reason: outcome.reason,
          rejections: outcome.rejections,
          trust,
        };
    return { text: `${toJson(document)}\n`, exitCode };
  }
  if (!outcome.ok)
    return { text: `${line`rejected ${artifact.filename}: ${outcome.code}: ${outcome.reason}`}\n`, exitCode };
  const { signer, details } = outcome;
  const channelLine =
    policy.channel === undefined
      ? line`${outcome.targetChannel ?? '(none)'} (not checked: no --channel)`
      : line`${outcome.targetChannel} (matches ${policy.channel})`;
  const lines = [
    line`verified ${artifact.filename}`,
    line`  sha256   ${details.subject.sha256}`,
    `  channel  ${channelLine}`,
    `  signer   ${signer.issuer ? line`${signer.identity} (issuer ${signer.issuer})` : line`key ${signer.identity}`}`,
    details.signedAt
      ? line`  signed   ${details.signedAt.toISOString()}${details.tlogEntry ? ` (transparency log entry ${details.tlogEntry.logIndex})` : ''}`
      : '  signed   no timestamp (keyed bundle)',
    line`  trust    ${trust}`,
  ];
  return { text: `${lines.join('\n')}\n`, exitCode };
}

export async function describeTrust(trust: TrustSource): Promise<string> {
  switch (trust.kind) {
    case 'production':
      return `Sigstore production root (${(await import('../attest/trust.ts')).PRODUCTION_ROOT_ORIGIN})`;
    case 'trusted-root':
      return `trusted root ${trust.path}`;
    case 'public-key':
      return `public key sha256:${keyId(parsePublicKey(trust.pem))}`;
    default:
      return 'unknown';
  }
}

/** A sidecar (`.sigs`, `.v0.sigs`) or single bundle file; unparseable content is a rejection, not an input error. */
function loadBundles(path: string): { ok: true; bundles: unknown } | { ok: false; reason: string } {
  const bytes = readInputBytes(path);
  try {
    return { ok: true, bundles: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) };
  } catch (error) {
    return { ok: false, reason: `${basename(path)} is not JSON: ${(error as Error).message}` };
  }
}

function defaultBundlePath(path: string): string {
  for (const suffix of ['.sigstore.json', '.sigs', '.v0.sigs']) {
    if (existsSync(`${path}${suffix}`)) return `${path}${suffix}`;
  }
  throw new CvebuildError(
    'USAGE',
    'no attestation found beside the package (.sigstore.json, .sigs, .v0.sigs); pass --bundle',
    {
      file: path,
    },
  );
}

function readSidecarForAppend(path: string): unknown[] {
  // checked before it is read: a sidecar planted as a symlink would otherwise be read, and quoted in errors
  if (!checkOutputFile(path, { replacing: path })) return [];
  let value: unknown;
  try {
    value = JSON.parse(readTextInput(path));
  } catch (error) {
    if (error instanceof CvebuildError) throw error;
    throw new CvebuildError('JSON_SYNTAX', `the sidecar is not JSON: ${(error as Error).message}`, { file: path });
  }
  if (!Array.isArray(value)) {
    throw new CvebuildError('USAGE', 'the sidecar is not a JSON array of bundles; cannot append', { file: path });
  }
  return value;
}

function writeNew(path: string, text: string, mode: number): void {
  writeOutputFile(path, text, { mode, exclusive: true });
}
