/** `cvebuild db update`: download the default feeds and import them. */
import type { Command } from 'commander';

export function registerDbUpdate(_db: Command, _output: (text: string) => void): void {
  // filled in by the update work
}
