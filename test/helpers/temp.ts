/** Temporary files for tests, removed when the process exits. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

let root: string | undefined;

export function tempDirectory(): string {
  if (!root) {
    const created = mkdtempSync(join(tmpdir(), 'cvebuild-test-'));
    root = created;
    process.on('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return mkdtempSync(join(root, 'case-'));
}

export function writeTemp(name: string, content: string | Uint8Array): string {
  const path = join(tempDirectory(), name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  return path;
}
