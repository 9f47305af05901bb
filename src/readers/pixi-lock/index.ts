/**
 * pixi.lock, format versions 4–7 (multi-environment). Versions 1–3 share conda-lock's schema and
 * are read by `conda-lock.ts`; `lockfile.ts` dispatches on the `version:` field.
 */
import type { Environment, InputSource, InventoryWarning } from '../../model/inventory.ts';
import { child, type Dict, expectDict, expectList, type FieldContext } from '../fields.ts';
import { listEntryLines } from '../record-lines.ts';
import type { ReaderOutput } from '../types.ts';
import {
  PackagePlacer,
  type PlatformDeclaration,
  parseEnvironment,
  parsePlatformDeclarations,
  RecordIndex,
} from './environments.ts';
import { type LockRecord, parseRecord } from './records.ts';

export function readPixiLockDocument(document: Dict, text: string, file: string, version: number): ReaderOutput {
  const ctx: FieldContext = { file, code: 'LOCK_INVALID', path: '' };
  const packagesValue = document.packages ?? [];
  const entries = expectList(packagesValue, child(ctx, 'packages'));
  const lines = listEntryLines(text, 'packages', entries.length);
  const packagesCtx = child(ctx, 'packages');
  const records: LockRecord[] = entries.map((entry, index) =>
    parseRecord(entry, version, child(packagesCtx, index, lines?.[index])),
  );

  let platforms: Map<string, PlatformDeclaration> | undefined;
  if (version >= 7) {
    platforms = parsePlatformDeclarations(document.platforms ?? [], child(ctx, 'platforms'));
  }
  const index = new RecordIndex(records);
  const placer = new PackagePlacer();
  const environmentsCtx = child(ctx, 'environments');
  const environmentsValue = expectDict(document.environments ?? {}, environmentsCtx);
  const environments: Environment[] = Object.entries(environmentsValue).map(([name, value]) =>
    parseEnvironment(name, value, { version, platforms, records: index, placer }, child(environmentsCtx, name)),
  );

  const warnings: InventoryWarning[] = [];
  const unused = records.filter((record) => !record.used);
  if (unused.length > 0) {
    const sample = unused.slice(0, 3).map((record) => record.template.name);
    warnings.push({
      message: `${unused.length} package record(s) are not used by any environment (${sample.join(', ')}${unused.length > 3 ? ', ...' : ''})`,
      origin: { file },
    });
  }

  const source: InputSource = {
    path: file,
    format: 'pixi-lock',
    formatVersion: version,
    records: {
      conda: records.filter((r) => r.entryKind === 'conda').length,
      pypi: records.filter((r) => r.entryKind === 'pypi').length,
      condaSource: records.filter((r) => r.entryKind === 'conda_source').length,
    },
  };
  return { source, environments, packages: placer.placed, warnings };
}
