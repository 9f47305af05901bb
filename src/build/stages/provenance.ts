/**
 * Stage 11: the build's SLSA Provenance v1, one statement for the whole run whose subjects are all
 * the archives it built (one build makes them all, and a verifier checks any one of them against
 * it). Signed the way the artifacts are (`--key` or `--sign keyless`) into
 * `<run-dir>/provenance.intoto.sigstore.json`; a run not asked to sign writes the bare statement to
 * `<run-dir>/provenance.intoto.json` and says it is unsigned. Either way the stage states the SLSA
 * and S2C2F claims the run can make (levels.ts): never more than Build L1 for a local build.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { type ProvenanceStatement, provenanceStatement, type ResourceDescriptor } from '../../attest/provenance.ts';
import { sha256File } from '../../attest/sign.ts';
import type { Inventory } from '../../model/inventory.ts';
import { builderCommand } from '../builder.ts';
import { auditedInventory } from '../inventories.ts';
import { type AuditedDependencies, s2c2fClaim, slsaClaim } from '../levels.ts';
import {
  packageDescriptors,
  publicCommand,
  recipeDescriptors,
  resolvedPackages,
  sourceDescriptors,
} from '../materials.ts';
import type { BuildContext, Stage } from '../types.ts';
import { signingMethod } from './sign.ts';

export const SIGNED_PROVENANCE = 'provenance.intoto.sigstore.json';
export const UNSIGNED_PROVENANCE = 'provenance.intoto.json';

export const provenanceStage: Stage = {
  name: 'provenance',
  async run(context) {
    const { statement, masked, materials, resolved } = await buildStatement(context);
    const how = signingMethod(context);
    const signedFile = join(context.runDir, SIGNED_PROVENANCE);
    const unsignedFile = join(context.runDir, UNSIGNED_PROVENANCE);
    let file: string;
    let signed: 'keyed' | 'keyless' | false = false;
    let signer: unknown;
    let logIndex: string | undefined;
    if (how) {
      // Sigstore loads only for runs that sign
      const { signStatement } = await import('../../attest/sign.ts');
      const result = await signStatement(statement, how);
      file = signedFile;
      signed = how.keyed ? 'keyed' : 'keyless';
      signer = result.signer;
      logIndex = result.logIndex;
      writeFileSync(file, `${JSON.stringify(result.bundle)}\n`);
      rmSync(unsignedFile, { force: true });
    } else {
      file = unsignedFile;
      writeFileSync(file, `${JSON.stringify(statement, null, 2)}\n`);
      // an earlier run's signed provenance in the same directory is not this run's
      rmSync(signedFile, { force: true });
    }
    const packages = materials.packages.length;
    const slsa = slsaClaim({ signed, subjects: statement.subject.length, packages });
    const s2c2f = s2c2fClaim(context.stages, auditedDependencies(auditedInventory(context)));
    const state = signed === false ? 'unsigned provenance (not asked to sign)' : `provenance signed ${signed}`;
    const logged = logIndex !== undefined ? `, logged in Rekor (entry ${logIndex})` : '';
    const notes = [
      `${slsa.label}: ${state}${logged} for ${statement.subject.length} package(s)`,
      resolved.from
        ? `${packages} resolved package(s) from ${basename(resolved.from)}`
        : 'no resolved package recorded (no lock beside the recipe): what the builder fetched is not in the provenance',
      ...(masked > 0 ? [`${masked} secret(s) masked in the build command`] : []),
    ];
    return {
      outcome: 'passed',
      findings: [],
      reason: notes.join('; '),
      details: {
        provenance: file,
        sha256: await sha256File(file),
        signed,
        ...(signer ? { signer } : {}),
        ...(logIndex !== undefined ? { logIndex } : {}),
        subjects: statement.subject.map((subject) => subject.name),
        materials: {
          recipeFiles: materials.recipe.length,
          sources: materials.sources.length,
          packages,
          packagesWithSha256: materials.packages.filter((dependency) => dependency.digest?.sha256).length,
          from: resolved.from ?? null,
        },
        slsa,
        s2c2f,
      },
    };
  },
  async restore(record) {
    // the statement the record names must still be there, unchanged
    const file = record.details?.provenance;
    const sha256 = record.details?.sha256;
    return typeof file === 'string' && existsSync(file) && (await sha256File(file)) === sha256;
  },
};

async function buildStatement(context: BuildContext): Promise<{
  statement: ProvenanceStatement;
  masked: number;
  materials: { recipe: ResourceDescriptor[]; sources: ResourceDescriptor[]; packages: ResourceDescriptor[] };
  resolved: ReturnType<typeof resolvedPackages>;
}> {
  const build = context.stages.find((record) => record.stage === 'build')?.details ?? {};
  let command = typeof build.command === 'string' ? build.command : undefined;
  let masked = typeof build.commandMasked === 'number' ? build.commandMasked : 0;
  if (command === undefined) {
    // a build record from before the command was recorded: the command it would have run
    const shown = await publicCommand(
      builderCommand(context.build, {
        recipeDir: context.recipeDir,
        workDir: join(context.runDir, 'work'),
        outputDir: context.outputDir,
        logFile: join(context.runDir, 'build.log'),
        targetPlatform: context.targetPlatform,
      }),
    );
    command = shown.command;
    masked = shown.masked;
  }
  const recipe = recipeDescriptors(context);
  const sources = sourceDescriptors(context);
  const resolved = resolvedPackages(context);
  const packages = packageDescriptors(resolved.packages);
  const recipeName = relative(context.recipeDir, context.recipeFile);
  const recipeSha256 = recipe.find((file) => file.name === recipeName)?.digest?.sha256 ?? '';
  const statement = provenanceStatement({
    artifacts: context.artifacts.map(({ file, sha256 }) => ({ filename: basename(file), sha256 })),
    recipe: { path: context.recipeFile, sha256: recipeSha256 },
    targetPlatform: context.targetPlatform,
    channels: resolved.channels,
    ...(context.sign.channel ? { publishChannel: context.sign.channel } : {}),
    buildCommand: command,
    passEnv: context.build.passEnv,
    timeoutMs: context.build.timeoutMs,
    offline: context.offline,
    dependencies: [...recipe, ...sources, ...packages],
    invocationId: context.runDigest,
    ...dateField('startedOn', build.startedOn),
    ...dateField('finishedOn', build.finishedOn),
  });
  return { statement, masked, materials: { recipe, sources, packages }, resolved };
}

function dateField<K extends string>(key: K, value: unknown): Partial<Record<K, Date>> {
  if (typeof value !== 'string') return {};
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? {} : ({ [key]: date } as Record<K, Date>);
}

/** Distinct releases with a version to match, and unpinned requirements no release stands for. */
export function auditedDependencies(inventory: Inventory): AuditedDependencies {
  const versioned = inventory.packages.filter((pkg) => pkg.version !== '');
  const names = new Set(versioned.map((pkg) => `${pkg.ecosystem}:${pkg.normalizedName}`));
  const unversioned = new Set(
    inventory.packages
      .filter((pkg) => pkg.version === '' && !names.has(`${pkg.ecosystem}:${pkg.normalizedName}`))
      .map((pkg) => `${pkg.ecosystem}:${pkg.normalizedName}`),
  );
  const releases = new Set(versioned.map((pkg) => `${pkg.ecosystem}:${pkg.normalizedName}@${pkg.version}`));
  return { versioned: releases.size, unversioned: unversioned.size };
}
