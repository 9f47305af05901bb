/**
 * The components rule: a CVE whose description puts the flaw in a component the conda packages of a
 * product do not build (zlib's contrib/minizip) does not affect them, whatever the CPE or CNA range says.
 * Kept entries of a product whose release numbers differ from conda's (protobuf) are restated in conda's.
 */
import { nativeProduct, unshippedComponentNamed } from '../../mapping/native.ts';
import { affectedInCondaNumbering } from '../../mapping/release-numbering.ts';
import type { AffectedPackage } from '../model.ts';

export interface ComponentFilter {
  kept: AffectedPackage[];
  /** The skip reason when a product was left out, for the import summary. */
  unshipped?: string;
}

export function withoutUnshippedComponents(affected: AffectedPackage[], description: string): ComponentFilter {
  const kept: AffectedPackage[] = [];
  let unshipped: string | undefined;
  for (const entry of affected) {
    const product = entry.ecosystem === 'upstream' ? nativeProduct(entry.name) : undefined;
    const component = product && unshippedComponentNamed(product, description);
    if (component) unshipped = `flaw in ${component.component}, which conda's ${entry.name} does not ship`;
    else kept.push(product ? affectedInCondaNumbering(product, entry) : entry);
  }
  return unshipped === undefined ? { kept } : { kept, unshipped };
}
