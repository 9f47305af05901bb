/** `cvebuild db import|status|update`: manage the local threat-intel store. */
import type { Command } from 'commander';
import { registerDbImportAndStatus } from './db-import.ts';
import { registerDbUpdate } from './db-update.ts';

export function registerDbCommands(program: Command, output: (text: string) => void): void {
  const db = program.command('db').description('manage the local threat-intel store (advisories, KEV, name maps)');
  registerDbImportAndStatus(db, output);
  registerDbUpdate(db, output);
}
