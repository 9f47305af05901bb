/** A recipe (recipe.yaml, meta.yaml) as a `ManifestEditor`: the build's recipe-pin planner writes its edits. */
import { basename } from 'node:path';
import { planRecipePins, type SafePin } from '../build/recipe-pins.ts';
import type { DeclaredDependency, DependencyScope } from '../model/inventory.ts';
import { emptyOutcome, type FileOutcome, type FixIntent, type ManifestEditor } from './types.ts';

const RECIPE_SCOPES = new Set<string>(['build', 'host', 'run']);

export function recipeEditor(file: string, text: string, declared: readonly DeclaredDependency[]): ManifestEditor {
  const name = basename(file);
  const own = declared.filter((d) => d.ecosystem === 'conda' && d.origin.file === file && d.scope !== 'constraint');
  return {
    file,
    text,
    relock: 'rebuild',
    declares: (pkg) => pkg.ecosystem === 'conda' && own.some((d) => d.normalizedName === pkg.normalizedName),
    async apply(requests) {
      const outcomes = new Map<FixIntent, FileOutcome>();
      const pins = new Map<string, { pin: SafePin; intent: FixIntent }>();
      for (const { intent, add } of requests) {
        const outcome = emptyOutcome();
        outcomes.set(intent, outcome);
        outcome.declared = own.some((d) => d.normalizedName === intent.pkg.normalizedName);
        if (!outcome.declared && !add) continue;
        if (intent.pkg.ecosystem !== 'conda') {
          outcome.unplaced.push(`${name} takes conda requirements only`);
        } else if (intent.mode === 'pin') {
          outcome.unplaced.push(`${name}: pin ${intent.pkg.name} to ==${intent.version} by hand`);
        } else {
          // a recipe's environments are its requirement sections (build, host, run)
          const scope = intent.pkg.environments.find((environment) => RECIPE_SCOPES.has(environment));
          const pin: SafePin = {
            name: intent.pkg.normalizedName,
            version: intent.version,
            ...(scope ? { scope: scope as DependencyScope } : {}),
          };
          pins.set(pin.name, { pin, intent });
        }
      }
      if (pins.size === 0) return { text, outcomes };
      const plan = planRecipePins(
        file,
        text,
        declared,
        [...pins.values()].map(({ pin }) => pin),
      );
      // the planner numbers lines as the recipe was; added lines move the ones below them
      const anchors = plan.edits.filter((edit) => edit.kind === 'add').map((edit) => edit.line - 1);
      const moved = (line: number) => line + anchors.filter((anchor) => anchor < line).length;
      const addedAt = new Map<number, number>();
      for (const edit of plan.edits) {
        const outcome = outcomes.get(pins.get(edit.pin.name)?.intent as FixIntent);
        let line = moved(edit.line);
        if (edit.kind === 'add') {
          const anchor = edit.line - 1;
          addedAt.set(anchor, (addedAt.get(anchor) ?? 0) + 1);
          line = moved(anchor) + (addedAt.get(anchor) ?? 1);
        }
        outcome?.edits.push({
          file,
          line,
          before: edit.before,
          after: edit.after,
          place: `${name} requirements`,
          constraint: `${edit.pin.name} >=${edit.pin.version}`,
          spec: `>=${edit.pin.version}`,
        });
      }
      for (const { pin, reason } of plan.unplaced) {
        outcomes.get(pins.get(pin.name)?.intent as FixIntent)?.unplaced.push(`${name}: ${reason}`);
      }
      return { text: plan.text, outcomes };
    },
  };
}
