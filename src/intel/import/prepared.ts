/**
 * What an importer hands back before anything is written: the normalised records, why some were
 * left out, and how to write them. `importSources` writes every prepared source in one transaction.
 */
import type { Advisory, FeedName } from '../model.ts';
import type { IntelStore } from '../store-api.ts';

export interface WriteCounts {
  written: number;
  skipped: number;
}

export interface PreparedImport {
  /** The feed the source's metadata is recorded under. */
  feed: FeedName;
  /** Records read from the source. */
  records: number;
  /** Why records were skipped or only partly used, one per reason. */
  notes: ImportNote[];
  write(store: IntelStore): WriteCounts;
}

export interface ImportNote {
  reason: string;
  count: number;
  /** The first few record ids (or entries) concerned. */
  examples: string[];
  /** What is counted, singular (default `record`). */
  unit?: string;
}

const EXAMPLES = 3;

/** Skip reasons, counted, with the first few record ids as examples. */
export class SkipNotes {
  readonly #notes = new Map<string, ImportNote>();
  #total = 0;

  add(reason: string, recordId: string): void {
    const note = this.#notes.get(reason) ?? { reason, count: 0, examples: [] };
    note.count++;
    if (note.examples.length < EXAMPLES) note.examples.push(recordId);
    this.#notes.set(reason, note);
    this.#total++;
  }

  get total(): number {
    return this.#total;
  }

  list(): ImportNote[] {
    return [...this.#notes.values()];
  }
}

/** Notes of several files of one feed, one per reason. */
export function mergeNotes(notes: readonly ImportNote[]): ImportNote[] {
  const merged = new Map<string, ImportNote>();
  for (const note of notes) {
    const into = merged.get(note.reason);
    if (!into) merged.set(note.reason, { ...note, examples: [...note.examples] });
    else {
      into.count += note.count;
      into.examples = [...into.examples, ...note.examples].slice(0, EXAMPLES);
    }
  }
  return [...merged.values()];
}

/** `2 records: no PyPI package in affected[] (OSV-2018-13, PSF-2007-1)`. */
export function renderNote(note: ImportNote): string {
  const examples =
    note.examples.length === 0 ? '' : ` (${note.examples.join(', ')}${note.count > note.examples.length ? ', …' : ''})`;
  const unit = note.unit ?? 'record';
  return `${note.count} ${note.count === 1 ? unit : `${unit}s`}: ${note.reason}${examples}`;
}

/**
 * Advisories to upsert. A record stored unchanged (or older than the stored copy) counts as skipped.
 * `notes` holds the records left out, and also those stored without affected entries (kept for id,
 * alias and KEV joins, but matching no package): both count as skipped, with their reason.
 */
export function advisoryImport(
  feed: FeedName,
  records: number,
  advisories: readonly Advisory[],
  notes: SkipNotes,
): PreparedImport {
  return {
    feed,
    records,
    notes: notes.list(),
    write(store) {
      let written = 0;
      let unchanged = 0;
      for (const advisory of advisories) {
        const changed = store.upsertAdvisory(advisory);
        if (advisory.affected.length === 0) continue;
        if (changed) written++;
        else unchanged++;
      }
      return { written, skipped: notes.total + unchanged };
    },
  };
}
