/**
 * The `attestation` check: packages the policy requires to be attested (`[[attestations.
 * require]]`, per channel or PyPI index, and/or package) must carry a valid attestation.
 * - Conda: a CEP-27 publish attestation that verifies against the trusted publishers, names the
 *   artifact exactly (filename and the lock's sha256), and targets the channel the package came from.
 * - PyPI: the PEP 740 provenance the index publishes for the locked file (its integrity API): every
 *   attestation verifies, is about exactly that file (name and the lock's sha256), and was signed
 *   by the Trusted Publisher PyPI names, and by one of the policy's publishers when it names some.
 * Missing or invalid fails; an attestation that could not be looked up is reported as not checked,
 * which the policy fails closed on. A package whose earlier versions were seen attested, arriving
 * without one, is a trust downgrade.
 */
import { resolve } from 'node:path';
import { findSidecar } from '../attest/fetch.ts';
import { type AttestationHistoryStore, FileAttestationHistory } from '../attest/history.ts';
import { findProvenance } from '../attest/pypi-provenance.ts';
import type { TrustSource, VerifyOutcome, VerifyPolicy } from '../attest/types.ts';
import { matchChannel } from '../conda/channels.ts';
import { fileNameOf } from '../conda/url.ts';
import { describePackage, type Finding, type FindingFlags, packageFinding, type Severity } from '../model/finding.ts';
import { normalizePypiName, type Package, type SourceLocation } from '../model/package.ts';
import { zod } from '../policy/zod.ts';
import { maskCredentials } from '../text/credentials.ts';
import { type Check, type CheckContext, checkOptions, type TrustedPublisher } from './check.ts';
import { DEFAULT_PYPI_INDEX } from './cooldown.ts';
import { sameIndex } from './sources.ts';

const VERSION = 1;
const CONCURRENCY = 8;

export interface AttestationRequirement {
  /** Conda packages from this channel (name or URL, matched like pixi does) ... */
  channel?: string;
  /** ... or PyPI packages from this index (its simple API URL) ... */
  index?: string;
  /** ... and/or with this name must carry a valid attestation ... */
  package?: string;
  /** ... signed by one of these publishers (for an index, none: the Trusted Publisher PyPI names). */
  publishers: TrustedPublisher[];
  origin: SourceLocation;
}

export interface AttestationSettings {
  /** Where attestations are required and whose signatures are trusted (the policy's `[[attestations.require]]`). */
  attestationRequirements: AttestationRequirement[];
  /** Directories with attestation sidecars (`<artifact>.sigs`, `.v0.sigs`, `.sigstore.json`), read before channels. */
  attestationBundleDirs: string[];
  /** A trusted_root.json to verify against instead of Sigstore's production root. */
  attestationTrustedRoot?: string;
}

export const attestationCheck: Check<AttestationSettings> = {
  id: 'attestation',
  version: VERSION,
  title: 'Packages without a valid attestation from a trusted publisher',
  requires: { intel: false, network: true },
  rules: {
    check: {
      title: 'Package without a valid attestation from a trusted publisher',
      help: 'The policy requires this package to carry an attestation signed by one of the trusted publishers: for conda, a CEP-27 publish attestation (a Sigstore bundle over the artifact’s filename and sha256, and the channel it was published to); for PyPI, the PEP 740 provenance the index publishes for the file, signed by its Trusted Publisher. It is missing, does not verify, comes from another signer, or earlier versions were attested and this one is not — the shape of a release published outside its usual pipeline. Use an attested build, or review the release and relax the requirement.',
      cwes: ['CWE-347', 'CWE-494'],
      tags: ['security', 'dependency', 'attestation', 'supply-chain'],
    },
  },
  enforces: ['attestation'],
  options: checkOptions({
    defaults: (): AttestationSettings => ({ attestationRequirements: [], attestationBundleDirs: [] }),
    shape: () => ({
      'bundle-dirs': zod().array(zod().string().min(1)),
      'trusted-root': zod().string().min(1),
    }),
    apply(values, settings, baseDir) {
      const dirs = values['bundle-dirs'];
      if (dirs) settings.attestationBundleDirs.push(...dirs.map((dir) => resolve(baseDir, dir)));
      if (values['trusted-root'] !== undefined)
        settings.attestationTrustedRoot = resolve(baseDir, values['trusted-root']);
    },
  }),
  async run(inventory, context) {
    const requirements = context.settings.attestationRequirements;
    if (requirements.length === 0) return [];
    const trust: TrustSource = context.settings.attestationTrustedRoot
      ? { kind: 'trusted-root', path: context.settings.attestationTrustedRoot }
      : { kind: 'production' };
    const history = context.history ?? new FileAttestationHistory(context.cacheDir);
    const judged = new Map<string, Promise<Judgement>>();
    const findings: Finding[] = [];
    const required = inventory.packages
      .map((pkg) => ({ pkg, publishers: publishersFor(pkg, requirements) }))
      .filter((item): item is { pkg: Package; publishers: TrustedPublisher[] } => item.publishers !== undefined);
    for (let start = 0; start < required.length; start += CONCURRENCY) {
      const batch = required.slice(start, start + CONCURRENCY);
      const results = await Promise.all(
        batch.map(({ pkg, publishers }) => {
          // the same artifact appears once per platform (noarch): judge it once
          const key = `${pkg.url ?? pkg.location}\u0000${pkg.sha256 ?? ''}`;
          let judgement = judged.get(key);
          if (!judgement) {
            judgement =
              pkg.ecosystem === 'pypi'
                ? judgePypi(pkg, { trust, publishers }, context)
                : judge(pkg, { trust, publishers, channel: pkg.channel }, context);
            judged.set(key, judgement);
          }
          return judgement;
        }),
      );
      batch.forEach(({ pkg, publishers }, index) => {
        const result = results[index];
        if (result) findings.push(...toFindings(pkg, publishers, result, history, context));
      });
    }
    await history.flush();
    return findings;
  },
};

/** The publishers required for a package: the most specific matching requirements win (package and channel, then package, then channel). */
export function publishersFor(
  pkg: Package,
  requirements: readonly AttestationRequirement[],
): TrustedPublisher[] | undefined {
  if (pkg.ecosystem === 'pypi') return pypiPublishersFor(pkg, requirements);
  if (pkg.ecosystem !== 'conda') return undefined;
  const matching = requirements
    .map((requirement) => ({ requirement, rank: specificity(pkg, requirement) }))
    .filter((item) => item.rank > 0);
  if (matching.length === 0) return undefined;
  const best = Math.max(...matching.map((item) => item.rank));
  return matching.filter((item) => item.rank === best).flatMap((item) => item.requirement.publishers);
}

/** PyPI: requirements that name the package's index (and its name, when they name one); package and index beat index alone. */
function pypiPublishersFor(
  pkg: Package,
  requirements: readonly AttestationRequirement[],
): TrustedPublisher[] | undefined {
  if (pkg.kind !== 'registry') return undefined;
  const index = pkg.index ?? DEFAULT_PYPI_INDEX;
  const matching = requirements
    .filter((requirement) => requirement.index !== undefined && sameIndex(index, requirement.index))
    .map((requirement) => ({
      requirement,
      rank:
        requirement.package === undefined ? 1 : normalizePypiName(requirement.package) === pkg.normalizedName ? 2 : 0,
    }))
    .filter((item) => item.rank > 0);
  if (matching.length === 0) return undefined;
  const best = Math.max(...matching.map((item) => item.rank));
  return matching.filter((item) => item.rank === best).flatMap((item) => item.requirement.publishers);
}

function specificity(pkg: Package, requirement: AttestationRequirement): number {
  if (requirement.index !== undefined) return 0;
  const channelMatches =
    requirement.channel !== undefined &&
    pkg.channel !== undefined &&
    matchChannel(pkg.channel, requirement.channel) !== undefined;
  const packageMatches = requirement.package !== undefined && requirement.package.toLowerCase() === pkg.normalizedName;
  if (requirement.channel !== undefined && requirement.package !== undefined)
    return channelMatches && packageMatches ? 3 : 0;
  if (requirement.package !== undefined) return packageMatches ? 2 : 0;
  return channelMatches ? 1 : 0;
}

type Judgement =
  | { kind: 'verified'; outcome: Extract<VerifyOutcome, { ok: true }>; source: string }
  | { kind: 'rejected'; outcome: Extract<VerifyOutcome, { ok: false }>; source: string }
  | { kind: 'missing'; tried: string[] }
  | { kind: 'unverifiable'; reason: string }
  | { kind: 'not-checked'; reason: string };

async function judge(
  pkg: Package,
  policy: VerifyPolicy,
  context: CheckContext<AttestationSettings>,
): Promise<Judgement> {
  const filename = pkg.url ? fileNameOf(pkg.url) : undefined;
  if (!filename || !pkg.sha256) {
    return { kind: 'unverifiable', reason: 'the lock records no download URL and sha256 to bind an attestation to' };
  }
  if (policy.channel !== undefined && !/^[a-z][a-z0-9+.-]*:\/\//i.test(policy.channel)) {
    return {
      kind: 'unverifiable',
      reason: `the input names its channel ${JSON.stringify(policy.channel)} but not its URL, which the attestation's targetChannel is compared with`,
    };
  }
  const sidecar = await findSidecar(
    { filename, url: pkg.url },
    {
      bundleDirs: context.settings.attestationBundleDirs,
      cacheDir: context.cacheDir,
      offline: context.offline,
      http: context.http,
      signal: context.signal,
    },
  );
  switch (sidecar.status) {
    case 'offline':
      return { kind: 'not-checked', reason: 'offline, and no local attestation (bundle-dirs)' };
    case 'failed':
      return { kind: 'not-checked', reason: `could not retrieve its attestations: ${sidecar.reason}` };
    case 'none':
      return { kind: 'missing', tried: sidecar.tried };
  }
  // @sigstore/verify loads only when a policy requires attestations, not with every check run
  const { verifySidecar } = await import('../attest/verify.ts');
  const outcome = verifySidecar(sidecar.bundles, { filename, sha256: pkg.sha256 }, policy);
  return outcome.ok
    ? { kind: 'verified', outcome, source: sidecar.source }
    : { kind: 'rejected', outcome, source: sidecar.source };
}

async function judgePypi(
  pkg: Package,
  policy: Pick<VerifyPolicy, 'trust' | 'publishers'>,
  context: CheckContext<AttestationSettings>,
): Promise<Judgement> {
  const filename = pkg.url ? fileNameOf(pkg.url) : undefined;
  if (!filename || !pkg.sha256) {
    return { kind: 'unverifiable', reason: 'the lock records no file URL and sha256 to bind an attestation to' };
  }
  const found = await findProvenance(
    {
      index: pkg.index ?? DEFAULT_PYPI_INDEX,
      project: pkg.normalizedName,
      version: pkg.version,
      filename,
      sha256: pkg.sha256,
    },
    {
      bundleDirs: context.settings.attestationBundleDirs,
      cacheDir: context.cacheDir,
      offline: context.offline,
      http: context.http,
      signal: context.signal,
    },
  );
  switch (found.status) {
    case 'offline':
      return { kind: 'not-checked', reason: 'offline, and no cached or local provenance (bundle-dirs)' };
    case 'failed':
      return { kind: 'not-checked', reason: `could not retrieve its PEP 740 provenance: ${found.reason}` };
    case 'unsupported':
      return { kind: 'unverifiable', reason: found.reason };
    case 'none':
      return { kind: 'missing', tried: found.tried };
  }
  const { verifyPep740 } = await import('../attest/pep740.ts');
  const { resolveTrust } = await import('../attest/trust.ts');
  const outcome = verifyPep740(
    found.provenance,
    { filename, sha256: pkg.sha256 },
    {
      trust: resolveTrust(policy.trust),
      publishers: policy.publishers,
    },
  );
  return outcome.ok
    ? { kind: 'verified', outcome: { ok: true, signer: outcome.verified.signer }, source: found.source }
    : { kind: 'rejected', outcome, source: found.source };
}

function toFindings(
  pkg: Package,
  publishers: TrustedPublisher[],
  judgement: Judgement,
  history: AttestationHistoryStore,
  context: CheckContext<AttestationSettings>,
): Finding[] {
  const channel = pkg.channel ?? (pkg.ecosystem === 'pypi' ? (pkg.index ?? DEFAULT_PYPI_INDEX) : '');
  const label = describePackage(pkg);
  const trusted =
    publishers.length > 0 ? publishers.map(describePublisher).join('; ') : 'the Trusted Publisher the index names';
  switch (judgement.kind) {
    case 'verified':
      history.record(channel, pkg.name, {
        version: pkg.version,
        build: pkg.build,
        signer: judgement.outcome.signer.identity,
        seenAt: context.now.toISOString(),
      });
      return [];
    case 'rejected': {
      const untrusted = judgement.outcome.code === 'identity' || judgement.outcome.code === 'issuer';
      return [
        finding(
          pkg,
          untrusted ? 'attestation/untrusted-publisher' : 'attestation/invalid',
          untrusted ? 'high' : 'critical',
          {
            message: `${label}: attestation ${untrusted ? 'is not from a trusted publisher' : 'does not verify'} (${judgement.outcome.code}): ${judgement.outcome.reason}`,
            evidence: {
              code: judgement.outcome.code,
              reason: judgement.outcome.reason,
              source: judgement.source,
              trusted,
            },
            remedy: untrusted
              ? `check who published ${pkg.name} ${pkg.version}; if the publisher is legitimate, add it to [[attestations.require]] publishers`
              : `do not install this artifact: its attestation does not match it`,
          },
        ),
      ];
    }
    case 'missing': {
      const earlier = history.earlierAttested(channel, pkg.name, pkg.version);
      if (earlier.length > 0) {
        const latest = earlier.at(-1);
        return [
          finding(pkg, 'attestation/downgrade', 'critical', {
            message: `${label} has no attestation, but earlier versions from ${maskCredentials(channel)} were attested (${earlier.map((seen) => seen.version).join(', ')}, last signed by ${latest?.signer}): a release published outside its usual signed pipeline`,
            evidence: { earlier, tried: judgement.tried, trusted },
            remedy: `do not install ${pkg.name} ${pkg.version} until its publisher confirms the release; pin ${latest?.version}`,
          }),
        ];
      }
      return [
        finding(pkg, 'attestation/missing', 'high', {
          message: `${label} from ${maskCredentials(channel)} has no attestation; the policy requires one from ${trusted}`,
          evidence: { tried: judgement.tried, trusted },
          remedy: `use an attested build of ${pkg.name}, or relax [[attestations.require]] for it`,
        }),
      ];
    }
    case 'unverifiable':
      return [
        finding(pkg, 'attestation/unverifiable', 'high', {
          message: `${label}: an attestation is required but cannot be checked: ${judgement.reason}`,
          evidence: { reason: judgement.reason, trusted },
          remedy: 'lock the package from a channel (with its sha256), or relax the requirement for it',
        }),
      ];
    case 'not-checked':
      return [
        finding(pkg, 'attestation/not-checked', 'medium', {
          message: `${label}: attestation not checked: ${judgement.reason}`,
          evidence: { reason: judgement.reason, trusted },
          remedy: 'run with network access to the channel, or put the sidecars in a bundle-dirs directory',
          flags: { unchecked: true },
        }),
      ];
  }
}

function describePublisher(publisher: TrustedPublisher): string {
  const who = publisher.identity ?? `/${publisher.identityRegexp}/`;
  return `${who} via ${publisher.issuer}`;
}

function finding(
  pkg: Package,
  rule: string,
  severity: Severity,
  detail: { message: string; evidence: Record<string, unknown>; remedy: string; flags?: FindingFlags },
): Finding {
  return packageFinding({ id: 'attestation', version: VERSION }, pkg, { rule, severity, ...detail });
}
