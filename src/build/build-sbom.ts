/**
 * The build's two CycloneDX documents. The artifact's: each built package with its payload files
 * and their sha256, the native libraries built into its binaries, and its run requirements as the
 * package states them. The build environment's: the packages the build and host environments were
 * made of, as the pipeline audited them. Both come from the same renderer as `cvebuild sbom`.
 */
import * as CDX from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import { type ArtifactFiles, MAX_SCAN_BYTES, scanArtifactFiles } from '../artifacts/artifact-files.ts';
import type { Inventory } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';
import { type CycloneDxOptions, renderCycloneDx } from '../report/cyclonedx.ts';
import { inventoryReport } from '../report/from-inventory.ts';

const { Enums, Models } = CDX;

export interface SbomSubject {
  inventory: Inventory;
  target: string;
  root: string;
  generatedAt: Date;
}

/** CycloneDX of the built packages, with what was found inside each archive. */
export async function artifactSbom(subject: SbomSubject): Promise<{ text: string; files: number; vendored: number }> {
  const scans = new Map<Package, ArtifactFiles>();
  for (const pkg of subject.inventory.packages)
    scans.set(pkg, await scanArtifactFiles(pkg.origin.file, {}, MAX_SCAN_BYTES, { fileDigests: true }));
  let files = 0;
  let vendored = 0;
  const text = render(subject, {
    vulnerabilities: false,
    lifecycle: 'post-build',
    extend(_bom, components) {
      for (const [pkg, scan] of scans) {
        const component = components.get(pkg);
        if (!component) continue;
        for (const spec of pkg.depends) component.properties.add(new Models.Property('conda:depends', spec));
        const base = component.bomRef.value ?? pkg.name;
        for (const file of [...scan.files].sort((a, b) => compare(a.path, b.path))) {
          const child = new Models.Component(Enums.ComponentType.File, file.path, { bomRef: `${base}/${file.path}` });
          child.hashes.set(Enums.HashAlgorithm['SHA-256'], file.sha256);
          child.properties.add(new Models.Property('cvebuild:size', String(file.size)));
          component.components.add(child);
          files++;
        }
        for (const hit of uniqueVendored(scan)) {
          const copy = new Models.Component(Enums.ComponentType.Library, hit.product, {
            bomRef: `${base}#vendored/${hit.product}@${hit.version}/${hit.path}`,
            version: hit.version,
            purl: new PackageURL('generic', undefined, hit.product, hit.version, undefined, undefined).toString(),
          });
          copy.properties.add(new Models.Property('cvebuild:vendored-in', hit.path));
          copy.properties.add(new Models.Property('cvebuild:evidence', hit.text));
          component.components.add(copy);
          component.dependencies.add(copy.bomRef);
          vendored++;
        }
      }
    },
  });
  return { text, files, vendored };
}

/** CycloneDX of what the build ran with: the build and host environments (and the run requirements). */
export function buildEnvironmentSbom(subject: SbomSubject): string {
  return render(subject, { vulnerabilities: false, lifecycle: 'build' });
}

function render(subject: SbomSubject, options: CycloneDxOptions): string {
  return renderCycloneDx(inventoryReport(subject), options);
}

function uniqueVendored(scan: ArtifactFiles) {
  const seen = new Set<string>();
  return scan.vendored.filter((hit) => {
    const key = `${hit.path}\u0000${hit.product}\u0000${hit.version}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
