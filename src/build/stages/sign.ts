/**
 * Stage 9: a CEP-27 attestation for each artifact that passed, with the code `cvebuild sign` uses:
 * keyed with `--key`, or keyless (`--sign keyless`: a Fulcio certificate for the OIDC identity, the
 * signature logged in Rekor). The pipeline reaches this stage only when nothing halted before it.
 */
import { writeFileSync } from 'node:fs';
import { readTextInput } from '../../fs/read-input.ts';
import type { Stage } from '../types.ts';

export const signStage: Stage = {
  name: 'sign',
  async run(context) {
    const { keyFile, keyless, channel } = context.sign;
    if (!keyFile && !keyless)
      return { outcome: 'skipped', findings: [], reason: 'not asked to sign (--key FILE or --sign keyless)' };
    const how = keyFile ? { keyed: { privateKeyPem: readTextInput(keyFile) } } : { keyless: keyless ?? {} };
    // Sigstore loads only for runs that sign
    const { signArtifact } = await import('../../attest/sign.ts');
    const bundles: string[] = [];
    const logged: string[] = [];
    for (const { file } of context.artifacts) {
      const signed = await signArtifact(file, { channel: channel ?? '', ...how });
      const bundle = `${file}.sigstore.json`;
      writeFileSync(bundle, `${JSON.stringify(signed.bundle)}\n`);
      bundles.push(bundle);
      if (signed.logIndex !== undefined) logged.push(signed.logIndex);
    }
    const mode = keyFile ? 'keyed' : `keyless, logged in Rekor (entries ${logged.join(', ')})`;
    return { outcome: 'passed', findings: [], reason: `${bundles.length} bundle(s), ${mode}`, details: { bundles } };
  },
};
