/**
 * The build's SLSA Provenance v1 (https://slsa.dev/provenance/v1): an in-toto Statement v1 whose
 * subjects are the built archives and whose predicate says how cvebuild built them. The build type
 * and the builder id are ours; docs/build-provenance.md describes both, field by field.
 */
import { TOOL } from '../report/report.ts';
import { STATEMENT_TYPE } from './statement.ts';
import type { ArtifactRef } from './types.ts';

export const SLSA_PROVENANCE_PREDICATE_TYPE = 'https://slsa.dev/provenance/v1';

const DOC = `${TOOL.informationUri}/blob`;
const DOC_PATH = 'docs/build-provenance.md';

/** What `externalParameters` and `internalParameters` mean: version 1 of cvebuild's build type. */
export const CVEBUILD_BUILD_TYPE = `${DOC}/main/${DOC_PATH}#build-type-v1`;

/**
 * cvebuild running on the machine it was started on: the docs of this very version. A local
 * builder is not a hosted build platform, whatever the id says, so it carries no SLSA L2 weight.
 */
export function localBuilderId(version: string = TOOL.version): string {
  return `${DOC}/v${version}/${DOC_PATH}#local-builder`;
}

/** An in-toto ResourceDescriptor: at least one of uri and digest. */
export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest?: Record<string, string>;
  annotations?: Record<string, unknown>;
}

export interface ProvenancePredicate {
  buildDefinition: {
    buildType: string;
    externalParameters: {
      recipe: { path: string; digest: { sha256: string } };
      targetPlatform: string;
      /** The channels the dependencies came from. */
      channels: string[];
      /** The channel the packages are published to (the CEP-27 attestations name it). */
      publishChannel?: string;
    };
    internalParameters: {
      buildCommand: string;
      /** The names of the variables passed to the builder: never their values. */
      passEnv: string[];
      timeoutSeconds: number;
      offline: boolean;
    };
    resolvedDependencies: ResourceDescriptor[];
  };
  runDetails: {
    builder: { id: string; version: Record<string, string> };
    metadata: { invocationId: string; startedOn?: string; finishedOn?: string };
  };
}

export interface ProvenanceStatement {
  _type: typeof STATEMENT_TYPE;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: typeof SLSA_PROVENANCE_PREDICATE_TYPE;
  predicate: ProvenancePredicate;
}

export interface ProvenanceInput {
  artifacts: readonly ArtifactRef[];
  recipe: { path: string; sha256: string };
  targetPlatform: string;
  channels: readonly string[];
  publishChannel?: string;
  buildCommand: string;
  passEnv: readonly string[];
  timeoutMs: number;
  offline: boolean;
  dependencies: readonly ResourceDescriptor[];
  /** The run's digest: the same inputs give the same id, which is what `--resume` relies on. */
  invocationId: string;
  startedOn?: Date;
  finishedOn?: Date;
}

export function provenanceStatement(input: ProvenanceInput): ProvenanceStatement {
  const publish = input.publishChannel?.replace(/\/+$/, '');
  return {
    _type: STATEMENT_TYPE,
    subject: input.artifacts.map((artifact) => ({
      name: artifact.filename,
      digest: { sha256: artifact.sha256.toLowerCase() },
    })),
    predicateType: SLSA_PROVENANCE_PREDICATE_TYPE,
    predicate: {
      buildDefinition: {
        buildType: CVEBUILD_BUILD_TYPE,
        externalParameters: {
          recipe: { path: input.recipe.path, digest: { sha256: input.recipe.sha256 } },
          targetPlatform: input.targetPlatform,
          channels: [...new Set(input.channels)].sort(),
          ...(publish ? { publishChannel: publish } : {}),
        },
        internalParameters: {
          buildCommand: input.buildCommand,
          passEnv: [...new Set(input.passEnv)].sort(),
          timeoutSeconds: input.timeoutMs / 1000,
          offline: input.offline,
        },
        resolvedDependencies: [...input.dependencies],
      },
      runDetails: {
        builder: { id: localBuilderId(), version: { cvebuild: TOOL.version, node: process.versions.node } },
        metadata: {
          invocationId: input.invocationId,
          ...(input.startedOn ? { startedOn: slsaTimestamp(input.startedOn) } : {}),
          ...(input.finishedOn ? { finishedOn: slsaTimestamp(input.finishedOn) } : {}),
        },
      },
    },
  };
}

/** SLSA's timestamp form, `YYYY-MM-DDThh:mm:ssZ`: UTC, whole seconds. */
export function slsaTimestamp(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
