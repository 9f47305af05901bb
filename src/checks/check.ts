/**
 * The shape every check has: an id, a logic version (bumped when its behaviour changes, so a
 * finding says which logic produced it), what it needs, and one `run`. Front doors (CLI, gate,
 * proxy, agent) call checks; they never re-implement one.
 */
import type { AdvisoryMatcher } from '../intel/matcher.ts';
import type { IntelStore } from '../intel/store-api.ts';
import type { Finding } from '../model/finding.ts';
import type { Inventory } from '../model/inventory.ts';

export interface CheckContext {
  /** The threat-intel store, already opened and checked for freshness. */
  store: IntelStore;
  /** Shared by the checks of one audit, so each package is matched once. */
  matcher: AdvisoryMatcher;
  /** The time the audit considers "now" (fixed in tests). */
  now: Date;
}

export interface Check {
  id: string;
  version: number;
  title: string;
  requires: { intel: boolean; network: boolean };
  run(inventory: Inventory, context: CheckContext): Finding[];
}
