/**
 * Declared dependencies built from parsed requirement strings, the same way for every reader of
 * hand-written files (environment.yml, recipes).
 */
import type { DeclaredDependency, DependencyScope } from '../model/inventory.ts';
import { normalizeCondaName, type SourceLocation } from '../model/package.ts';
import type { MatchSpec } from '../versions/matchspec.ts';
import type { Pep508Requirement } from '../versions/pep508.ts';

export interface DeclarationPlace {
  scope: DependencyScope;
  group?: string;
  condition?: string;
  origin: SourceLocation;
}

export function condaDependency(spec: MatchSpec, place: DeclarationPlace): DeclaredDependency {
  const dependency: DeclaredDependency = {
    ecosystem: 'conda',
    name: spec.name,
    normalizedName: normalizeCondaName(spec.name),
    spec: spec.version ?? '',
    scope: place.scope,
    origin: place.origin,
  };
  if (spec.build !== undefined) dependency.build = spec.build;
  if (spec.channel !== undefined) dependency.channel = spec.channel;
  if (spec.url !== undefined) dependency.reference = spec.url;
  if (place.group !== undefined) dependency.group = place.group;
  if (place.condition !== undefined) dependency.condition = place.condition;
  return dependency;
}

export function pypiDependency(requirement: Pep508Requirement, place: DeclarationPlace): DeclaredDependency {
  const dependency: DeclaredDependency = {
    ecosystem: 'pypi',
    name: requirement.name,
    normalizedName: requirement.normalizedName,
    spec: requirement.specifier,
    scope: place.scope,
    origin: place.origin,
  };
  if (requirement.url !== undefined) dependency.reference = requirement.url;
  if (place.group !== undefined) dependency.group = place.group;
  return dependency;
}

/**
 * The model has no field for platform conditions, so a declaration that applies only under a
 * selector (`# [win]`, `if: win`) notes it in its group: `mamba [win]`, or `[win]` without a group.
 */
export function groupWithCondition(group: string | undefined, condition: string | undefined): string | undefined {
  if (!condition) return group;
  return group ? `${group} [${condition}]` : `[${condition}]`;
}
