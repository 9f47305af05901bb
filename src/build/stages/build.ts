/**
 * Stage 7: the build itself (see builder.ts). Records each archive with its sha256, so a resumed
 * run can take the build back only while those exact files are still there, and the command and
 * the times the provenance states.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../../attest/sign.ts';
import { builderCommand, runBuilder } from '../builder.ts';
import { publicCommand } from '../materials.ts';
import type { BuiltArtifact, Stage } from '../types.ts';

export const buildStage: Stage = {
  name: 'build',
  async run(context) {
    const dirs = {
      recipeDir: context.recipeDir,
      workDir: join(context.runDir, 'work'),
      outputDir: context.outputDir,
      logFile: join(context.runDir, 'build.log'),
      targetPlatform: context.targetPlatform,
    };
    const command = builderCommand(context.build, dirs, context.channels);
    // the report and the provenance are made to be shared: a token typed into the command is not
    const shown = await publicCommand(command);
    const startedOn = new Date();
    const archives = await runBuilder(context.build, dirs, command);
    const finishedOn = new Date();
    context.artifacts = [];
    for (const file of archives) context.artifacts.push({ file, sha256: await sha256File(file) });
    return {
      outcome: 'passed',
      findings: [],
      reason: `${archives.length} package(s) built`,
      details: {
        artifacts: context.artifacts,
        log: dirs.logFile,
        command: shown.command,
        ...(shown.masked > 0 ? { commandMasked: shown.masked } : {}),
        startedOn: startedOn.toISOString(),
        finishedOn: finishedOn.toISOString(),
      },
    };
  },
  async restore(record, context) {
    const artifacts = record.details?.artifacts as BuiltArtifact[] | undefined;
    if (!Array.isArray(artifacts) || artifacts.length === 0) return false;
    // the packages the record names must still be these exact bytes, or the build runs again
    for (const { file, sha256 } of artifacts) {
      if (!existsSync(file) || (await sha256File(file)) !== sha256) return false;
    }
    context.artifacts = artifacts;
    return true;
  },
};
