/**
 * The supply-chain levels a build can honestly claim.
 *
 * - **SLSA Build track** (https://slsa.dev/spec/v1.1/levels): L1 needs provenance that describes
 *   the build; L2 needs a hosted build platform that generates and signs the provenance itself; L3
 *   a hardened one (runs isolated from each other, signing secrets out of the build steps' reach).
 *   cvebuild runs where it is started: a developer's machine or a CI job whose steps the person
 *   building controls. Nothing it can see from inside proves a hosted platform (an environment
 *   variable saying "CI" is set by anyone), and the key or identity that signs is within reach of
 *   the build. So a cvebuild build claims Build L1 at most, signed or not: a signature makes the
 *   provenance tamper-evident after the build, it does not make the builder a platform.
 * - **S2C2F** (OpenSSF Secure Supply Chain Consumption Framework): its maturity levels assess an
 *   organisation's way of consuming open source, not one build, so no level is claimed. The
 *   requirements this pipeline performs are stated, each only as far as it held in this run.
 */
import type { StageFinding, StageOutcome, StageRecord } from './types.ts';

export interface SlsaClaim {
  track: 'build';
  /** The level met: 1 when provenance describes the build, else 0. Never more from a local build. */
  level: 0 | 1;
  label: string;
  /** What the level met rests on. */
  because: string;
  /** Each higher level and what it needs that this build lacks. */
  notMet: { level: string; why: string }[];
}

export type S2c2fStatus = 'held' | 'partial' | 'not held';

export interface S2c2fRequirement {
  id: string;
  title: string;
  status: S2c2fStatus;
  evidence: string;
}

export interface S2c2fClaim {
  /** Always null: S2C2F levels are an organisation's maturity, not a build's. */
  level: null;
  note: string;
  requirements: S2c2fRequirement[];
}

export interface LevelClaims {
  slsa: SlsaClaim;
  s2c2f: S2c2fClaim;
}

const NOT_L2 =
  'needs a hosted build platform that generates and signs the provenance itself; this build ran where cvebuild was started, with a builder, key or identity the person building controls';
const NOT_L3 =
  'needs a hardened hosted platform: runs isolated from one another and the signing secrets out of reach of the build steps; a local builder runs as the user who holds them';

/** The SLSA claim for a build that wrote provenance (signed with a key, keyless, or not). */
export function slsaClaim(
  provenance: { signed: 'keyed' | 'keyless' | false; subjects: number; packages: number } | undefined,
): SlsaClaim {
  const notMet = [
    { level: 'Build L2', why: NOT_L2 },
    { level: 'Build L3', why: NOT_L3 },
  ];
  if (!provenance)
    return {
      track: 'build',
      level: 0,
      label: 'Build L0',
      because: 'no provenance was written for this run',
      notMet: [
        { level: 'Build L1', why: 'needs provenance describing the build: the provenance stage did not write one' },
        ...notMet,
      ],
    };
  const materials =
    provenance.packages > 0
      ? `${provenance.packages} resolved package(s)`
      : 'no resolved package (none locked or solved: L1 allows incomplete provenance)';
  const signature =
    provenance.signed === false
      ? 'unsigned (not asked to sign), which L1 allows'
      : `signed ${provenance.signed}, which makes it tamper-evident but is not a hosted platform's signature`;
  return {
    track: 'build',
    level: 1,
    label: 'Build L1',
    because: `cvebuild generated provenance for ${provenance.subjects} package(s) stating the builder, the build type, the recipe's files and parameters, and ${materials}; it is ${signature}`,
    notMet,
  };
}

/** What the recipe's dependencies were audited as: how many had a version to match, how many none. */
export interface AuditedDependencies {
  versioned: number;
  /** Unpinned requirements no locked or solved release stands for: name checks only. */
  unversioned: number;
}

/**
 * The S2C2F requirements the pre-build stages perform, from their records: SCA-1 (scan for known
 * vulnerabilities: the cve-audit stage) and ING-3 (a deny list that blocks known-malicious OSS: the
 * threat-intel stage, which halts). Each holds only when its stage ran its check on data that covers
 * the dependencies (no `not-checked` finding), over dependencies with a version to match.
 */
export function s2c2fClaim(stages: readonly StageRecord[], audited: AuditedDependencies): S2c2fClaim {
  return {
    level: null,
    note: 'no level claimed (maturity levels assess an organisation, not one build); the requirements this run performs',
    requirements: [
      requirement(stages, audited, {
        id: 'SCA-1',
        title: 'Scan OSS for known vulnerabilities',
        stage: 'cve-audit',
        check: 'vulnerability',
        what: 'matched against vulnerability advisories',
      }),
      requirement(stages, audited, {
        id: 'ING-3',
        title: 'Have a deny list capability to block known malicious OSS from being consumed',
        stage: 'threat-intel',
        check: 'malicious',
        what: 'matched against malicious-package reports, a match halting the build',
      }),
    ],
  };
}

interface RequirementSource {
  id: string;
  title: string;
  stage: StageRecord['stage'];
  check: string;
  what: string;
}

function requirement(
  stages: readonly StageRecord[],
  audited: AuditedDependencies,
  source: RequirementSource,
): S2c2fRequirement {
  const { id, title } = source;
  const record = stages.find((stage) => stage.stage === source.stage);
  const outcome = record ? effectiveOutcome(record) : undefined;
  if (!record || (outcome !== 'passed' && outcome !== 'surfaced'))
    return {
      id,
      title,
      status: 'not held',
      evidence: `the ${source.stage} stage did not run its check (${record?.reason ?? 'no record'})`,
    };
  const gaps = record.findings.filter((finding: StageFinding) => finding.rule === `${source.check}/not-checked`);
  if (gaps.length > 0)
    return {
      id,
      title,
      status: 'not held',
      evidence: `the threat data does not cover the dependencies: ${gaps[0]?.message ?? ''}`,
    };
  const { versioned, unversioned } = audited;
  if (versioned === 0)
    return {
      id,
      title,
      status: 'not held',
      evidence:
        unversioned === 0
          ? 'the recipe has no dependency to scan'
          : `none of the ${unversioned} requirement(s) has a version to match (no pin, no lock): name checks only`,
    };
  const done = `${versioned} dependency release(s) ${source.what} (${source.stage} stage)`;
  if (unversioned > 0)
    return {
      id,
      title,
      status: 'partial',
      evidence: `${done}; ${unversioned} unpinned requirement(s) without a locked release had no version to match (name only)`,
    };
  return { id, title, status: 'held', evidence: done };
}

/** A resumed stage's outcome is the one its earlier run recorded. */
function effectiveOutcome(record: StageRecord): StageOutcome {
  return record.recorded ?? record.outcome;
}

/** The claims a finished run makes: those its provenance stage recorded, else none (Build L0). */
export function runClaims(stages: readonly StageRecord[]): LevelClaims {
  const provenance = stages.find((stage) => stage.stage === 'provenance');
  const details = provenance?.details;
  if (details && isClaim(details.slsa) && isS2c2f(details.s2c2f)) return { slsa: details.slsa, s2c2f: details.s2c2f };
  return {
    slsa: slsaClaim(undefined),
    s2c2f: {
      level: null,
      note: `no S2C2F requirement is claimed: the provenance stage did not run (${provenance?.reason ?? 'no record'})`,
      requirements: [],
    },
  };
}

function isClaim(value: unknown): value is SlsaClaim {
  return typeof value === 'object' && value !== null && (value as SlsaClaim).track === 'build';
}

function isS2c2f(value: unknown): value is S2c2fClaim {
  return typeof value === 'object' && value !== null && Array.isArray((value as S2c2fClaim).requirements);
}
