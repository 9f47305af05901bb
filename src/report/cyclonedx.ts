/**
 * CycloneDX 1.6 JSON: the project as the described application, one `library` component per
 * inventory package (one per artifact per platform, so a noarch package appears once per platform),
 * the dependency graph of the lock, and optionally the vulnerability and malicious-package findings
 * as VEX (see `cyclonedx-vulnerabilities.ts`).
 *
 * Output is deterministic: lists are filled in a fixed code-point order instead of the library's
 * `sortLists`, which compares with `localeCompare` and so orders differently under another locale
 * (in `lt-LT`, `y` sorts before `j`), and the serial number is a name-based UUID of the content.
 * URLs (distribution, VCS, channel, index) are written as the lock has them; `toJson` masks their
 * credentials, as it does in every string of the document.
 */
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { Package } from '../model/package.ts';
import { toJson } from '../text/json.ts';
import { addVulnerabilities } from './cyclonedx-vulnerabilities.ts';
import { dependencyGraph } from './dependency-graph.ts';
import { declaredLicense } from './license.ts';
import { pathWithinRoot } from './paths.ts';
import { packageUrl } from './purl.ts';
import type { ReportInput } from './report.ts';
import { nameUuid, packageRefBase, projectName, sbomUri, sha256, uniqueIds } from './sbom-identity.ts';

const { Enums, Models, Serialize, Spec } = CDX;

export interface CycloneDxOptions {
  /** Add the vulnerability and malicious findings (with their waivers as VEX analysis). */
  vulnerabilities: boolean;
  /** The lifecycle phase described; default: operations for an installed prefix, else pre-build. */
  lifecycle?: 'pre-build' | 'build' | 'post-build' | 'operations';
  /** Adds to the document what only the caller knows (a built artifact's files, its vendored copies). */
  extend?: (bom: CDX.Models.Bom, components: ReadonlyMap<Package, CDX.Models.Component>) => void;
}

const SHA256 = /^[0-9a-f]{64}$/i;
const MD5 = /^[0-9a-f]{32}$/i;

export function renderCycloneDx(report: ReportInput, options: CycloneDxOptions): string {
  const { inventory } = report;
  const bom = new Models.Bom();
  const name = projectName(report);
  const project = new Models.Component(Enums.ComponentType.Application, name, { bomRef: `project:${name}` });
  fillMetadata(bom.metadata, report, project, options.lifecycle);

  const refs = uniqueIds(inventory.packages, packageRefBase);
  const components = new Map<Package, CDX.Models.Component>();
  for (const pkg of inventory.packages) {
    const component = packageComponent(pkg, refs.get(pkg) ?? packageRefBase(pkg), report.root);
    components.set(pkg, component);
    bom.components.add(component);
  }
  const graph = dependencyGraph(inventory);
  for (const pkg of graph.direct) {
    const component = components.get(pkg);
    if (component) project.dependencies.add(component.bomRef);
  }
  for (const [pkg, targets] of graph.dependsOn) {
    const from = components.get(pkg);
    for (const target of targets) {
      const to = components.get(target);
      if (from && to) from.dependencies.add(to.bomRef);
    }
  }
  if (options.vulnerabilities) addVulnerabilities(bom, report, components);
  options.extend?.(bom, components);
  return serialize(bom);
}

const LIFECYCLES = {
  'pre-build': Enums.LifecyclePhase.PreBuild,
  build: Enums.LifecyclePhase.Build,
  'post-build': Enums.LifecyclePhase.PostBuild,
  operations: Enums.LifecyclePhase.Operations,
} as const;

function fillMetadata(
  metadata: CDX.Models.Metadata,
  report: ReportInput,
  project: CDX.Models.Component,
  phase?: keyof typeof LIFECYCLES,
): void {
  metadata.timestamp = report.generatedAt;
  const installed = report.inventory.sources.every((source) => source.format === 'conda-meta');
  metadata.lifecycles.add(LIFECYCLES[phase ?? (installed ? 'operations' : 'pre-build')]);
  const tool = new Models.Component(Enums.ComponentType.Application, report.tool.name, {
    version: report.tool.version,
  });
  tool.externalReferences.add(
    new Models.ExternalReference(report.tool.informationUri, Enums.ExternalReferenceType.Website),
  );
  metadata.tools.components.add(tool);
  metadata.component = project;
  for (const source of report.inventory.sources) {
    const path = pathWithinRoot(report.root, source.path) ?? source.path;
    const version = source.formatVersion === undefined ? '' : ` v${source.formatVersion}`;
    metadata.properties.add(new Models.Property('cvebuild:input', `${path} (${source.format}${version})`));
  }
}

function packageComponent(pkg: Package, bomRef: string, root: string): CDX.Models.Component {
  const component = new Models.Component(Enums.ComponentType.Library, pkg.name, {
    bomRef,
    version: pkg.version,
    purl: packageUrl(pkg),
  });
  if (pkg.sha256 && SHA256.test(pkg.sha256)) component.hashes.set(Enums.HashAlgorithm['SHA-256'], pkg.sha256);
  if (pkg.md5 && MD5.test(pkg.md5)) component.hashes.set(Enums.HashAlgorithm.MD5, pkg.md5);
  const license = declaredLicense(pkg.license);
  if (license?.kind === 'expression') {
    component.licenses.add(
      license.single && CDX.SPDX.isSupportedSpdxId(license.expression)
        ? new Models.SpdxLicense(license.expression)
        : new Models.LicenseExpression(license.expression),
    );
  } else if (license) {
    component.licenses.add(new Models.NamedLicense(license.name));
  }
  const reference = externalReference(pkg);
  if (reference) component.externalReferences.add(reference);
  for (const [name, value] of packageProperties(pkg, root)) component.properties.add(new Models.Property(name, value));
  return component;
}

function externalReference(pkg: Package): CDX.Models.ExternalReference | undefined {
  if (pkg.kind === 'git') return new Models.ExternalReference(sbomUri(pkg.location), Enums.ExternalReferenceType.VCS);
  if (!pkg.url) return undefined;
  return new Models.ExternalReference(sbomUri(pkg.url), Enums.ExternalReferenceType.Distribution);
}

/** Properties in a fixed order: what the purl does not say, and where the record is. */
function packageProperties(pkg: Package, root: string): [string, string][] {
  const properties: [string, string][] = [
    ['cvebuild:platform', pkg.platform],
    ['cvebuild:kind', pkg.kind],
  ];
  if (pkg.environments.length > 0) properties.push(['cvebuild:environments', pkg.environments.join(',')]);
  if (pkg.buildOnly) properties.push(['cvebuild:build-only', 'true']);
  const file = pathWithinRoot(root, pkg.origin.file);
  if (file) properties.push(['cvebuild:origin', pkg.origin.line ? `${file}:${pkg.origin.line}` : file]);
  if (pkg.ecosystem === 'conda') {
    if (pkg.channel) properties.push(['conda:channel', pkg.channel]);
    if (pkg.subdir) properties.push(['conda:subdir', pkg.subdir]);
    if (pkg.build) properties.push(['conda:build', pkg.build]);
    if (pkg.buildNumber !== undefined) properties.push(['conda:build_number', String(pkg.buildNumber)]);
    if (pkg.noarch) properties.push(['conda:noarch', pkg.noarch]);
    const built = pkg.timestamp === undefined ? undefined : new Date(pkg.timestamp);
    if (built && !Number.isNaN(built.getTime())) properties.push(['conda:timestamp', built.toISOString()]);
  } else if (pkg.index) {
    properties.push(['pypi:index', pkg.index]);
  }
  return properties;
}

function serialize(bom: CDX.Models.Bom): string {
  const normalized = new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6).makeForBom().normalize(bom, {});
  // The normalizer writes `serialNumber: undefined` where the BOM has none; it must not override ours.
  const { $schema, bomFormat, specVersion, serialNumber: _unset, ...rest } = normalized;
  // Of the masked content: a hash of the unmasked one would depend on the credentials it hides.
  const serialNumber = `urn:uuid:${nameUuid(`cvebuild:cyclonedx:${sha256(toJson(normalized, { indent: 0 }))}`)}`;
  return `${toJson({ $schema, bomFormat, specVersion, serialNumber, ...rest })}\n`;
}
