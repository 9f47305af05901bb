/**
 * Stage 9: a CEP-27 attestation for each artifact that passed, with the code `cvebuild sign` uses.
 * Keyed only in this slice: keyless signing in the pipeline is a later one.
 */
import { writeFileSync } from 'node:fs';
import { readTextInput } from '../../fs/read-input.ts';
import type { Stage } from '../types.ts';

export const signStage: Stage = {
  name: 'sign',
  async run(context) {
    const { keyFile, channel } = context.sign;
    if (!keyFile)
      return { outcome: 'skipped', findings: [], reason: 'no --key given (keyless signing is not built yet)' };
    const privateKeyPem = readTextInput(keyFile);
    // Sigstore loads only for runs that sign
    const { signArtifact } = await import('../../attest/sign.ts');
    const bundles: string[] = [];
    for (const { file } of context.artifacts) {
      const signed = await signArtifact(file, { channel: channel ?? '', keyed: { privateKeyPem } });
      const bundle = `${file}.sigstore.json`;
      writeFileSync(bundle, `${JSON.stringify(signed.bundle)}\n`);
      bundles.push(bundle);
    }
    return { outcome: 'passed', findings: [], reason: `${bundles.length} bundle(s), keyed`, details: { bundles } };
  },
};
