/**
 * cvebuild as a library: what a build pipeline, a package proxy or an agent needs to run the same
 * gate the CLI runs. Read packages (a project, artifacts, or packages in memory), load a policy,
 * open the threat data, audit with one engine, and render the reports.
 */

export { type ReadArtifactOptions, readArtifactPackage } from './artifacts/artifact-package.ts';
export type { Check, CheckContext, CheckOptions, CheckRequirements, CheckSettings } from './checks/check.ts';
export { checkOptions } from './checks/check.ts';
export { CHECKS } from './checks/registry.ts';
export type { LockDiff } from './diff/lock-diff.ts';
export { type LockReview, type LockReviewRequest, reviewLockUpdate } from './diff/review.ts';
export {
  type AuditRequest,
  createEngine,
  type Engine,
  type EngineOptions,
  type EngineResult,
  type IntelSource,
} from './engine/engine.ts';
export type { CheckStatus, EngineEvent } from './engine/events.ts';
export { filterInventory, type InventoryFilter, readInventory } from './engine/read-project.ts';
export { type ReportPlace, reportOf } from './engine/report.ts';
export type { AuditResult, AuditSummary, CheckRun, RunControl } from './engine/run-checks.ts';
export { CvebuildError, type ErrorCode, isCvebuildError } from './errors.ts';
export { type OpenedIntel, type OpenStoreOptions, openIntelStore } from './intel/open.ts';
export type { IntelStore } from './intel/store-api.ts';
export type { Finding, Severity, Verdict } from './model/finding.ts';
export type { Inventory } from './model/inventory.ts';
export type { Package } from './model/package.ts';
export { type PolicyFlags, policyWithFlags } from './policy/flags.ts';
export { loadPolicy, type PolicyOptions, parsePolicy } from './policy/load.ts';
export { defaultPolicy, type Policy } from './policy/policy.ts';
export { inventoryFromPackages, type PackagesInventoryOptions } from './readers/packages.ts';
export { FORMAT_NAMES, type ReportFormat } from './report/formats.ts';
export { inventoryReport } from './report/from-inventory.ts';
export { render } from './report/render.ts';
export type { ReportInput } from './report/report.ts';
export { renderSbom, type SbomFormat } from './report/sbom.ts';
