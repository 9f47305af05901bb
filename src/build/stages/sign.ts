/**
 * Stage 9: a CEP-27 attestation for each artifact that passed, with the code `cvebuild sign` uses:
 * keyed with `--key`, or keyless (`--sign keyless`: a Fulcio certificate for the OIDC identity, the
 * signature logged in Rekor). The pipeline reaches this stage only when nothing halted before it.
 */
import { writeFileSync } from 'node:fs';
import type { SigningMethod } from '../../attest/sign.ts';
import { readTextInput } from '../../fs/read-input.ts';
import type { BuildContext, Stage } from '../types.ts';

/** How the run signs (`--key FILE` or `--sign keyless`), or undefined when it was not asked to. */
export function signingMethod(context: BuildContext): SigningMethod | undefined {
  const { keyFile, keyless } = context.sign;
  if (keyFile) return { keyed: { privateKeyPem: readTextInput(keyFile) } };
  if (keyless) return { keyless };
  return undefined;
}

export const signStage: Stage = {
  name: 'sign',
  async run(context) {
    const how = signingMethod(context);
    if (!how) return { outcome: 'skipped', findings: [], reason: 'not asked to sign (--key FILE or --sign keyless)' };
    // Sigstore loads only for runs that sign
    const { signArtifact } = await import('../../attest/sign.ts');
    const bundles: string[] = [];
    const logged: string[] = [];
    for (const { file } of context.artifacts) {
      const signed = await signArtifact(file, { channel: context.sign.channel ?? '', ...how });
      const bundle = `${file}.sigstore.json`;
      writeFileSync(bundle, `${JSON.stringify(signed.bundle)}\n`);
      bundles.push(bundle);
      if (signed.logIndex !== undefined) logged.push(signed.logIndex);
    }
    const mode = how.keyed ? 'keyed' : `keyless, logged in Rekor (entries ${logged.join(', ')})`;
    return { outcome: 'passed', findings: [], reason: `${bundles.length} bundle(s), ${mode}`, details: { bundles } };
  },
};
