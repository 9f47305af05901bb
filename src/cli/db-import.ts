/** `cvebuild db import PATH...` and `cvebuild db status`. */
import type { Command } from 'commander';

export function registerDbImportAndStatus(_db: Command, _output: (text: string) => void): void {
  // filled in by the store/import work
}
