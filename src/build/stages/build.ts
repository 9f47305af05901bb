/**
 * Stage 7: the build itself (see builder.ts). Records each archive with its sha256, so a resumed
 * run can take the build back only while those exact files are still there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256File } from '../../attest/sign.ts';
import { runBuilder } from '../builder.ts';
import type { BuiltArtifact, Stage } from '../types.ts';

export const buildStage: Stage = {
  name: 'build',
  async run(context) {
    const archives = await runBuilder(context.build, {
      recipeDir: context.recipeDir,
      workDir: join(context.runDir, 'work'),
      outputDir: context.outputDir,
      logFile: join(context.runDir, 'build.log'),
      targetPlatform: context.targetPlatform,
    });
    context.artifacts = [];
    for (const file of archives) context.artifacts.push({ file, sha256: await sha256File(file) });
    return {
      outcome: 'passed',
      findings: [],
      reason: `${archives.length} package(s) built`,
      details: { artifacts: context.artifacts, log: join(context.runDir, 'build.log') },
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
