/** A project directory in a temp folder: the audit fixture's lock plus the given files. */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from './paths.ts';
import { tempDirectory } from './temp.ts';

/** The audit fixture project (litellm 1.82.7/8, pytorch, openssl 3.0.7, Pillow/KEV) with these files beside its lock. */
export function auditProject(files: Record<string, string> = {}): string {
  const dir = tempDirectory();
  copyFileSync(fixture('audit/project/pixi.lock'), join(dir, 'pixi.lock'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
