/**
 * What an importer hands back once it has recognised a source: how to write it. Writing reads the
 * records one at a time and upserts each as it goes (inside the import's one transaction), so a
 * feed is never held whole in memory, whatever its size.
 */
import type { Advisory, FeedName } from '../model.ts';
import type { IntelStore } from '../store-api.ts';

export interface PreparedImport {
  /** Reads the records into the store; called once, inside the import's transaction. */
  write(store: IntelStore): ImportedPart;
}

/** What writing one source (or one feed of a directory) read and wrote. */
export interface ImportedPart {
  /** The feed the source's metadata is recorded under. */
  feed: FeedName;
  /** Records read from the source. */
  records: number;
  written: number;
  skipped: number;
  /** Why records were skipped or only partly used, one per reason. */
  notes: ImportNote[];
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

/** Where normalised advisories go, one at a time. */
export interface AdvisorySink {
  /** Upserts at once: nothing is kept after this returns. */
  add(advisory: Advisory): void;
  /** A record left out, or stored without affected entries, and why. */
  skip(reason: string, recordId: string): void;
  /** A record stored, but only in part (an entry kept as undecided, tags that name no release): why. */
  note(reason: string, recordId: string): void;
}

/** The feed a source is recorded under and how many records it held, known once they were all read. */
export interface ProducedAdvisories {
  feed: FeedName;
  records: number;
  notes?: ImportNote[];
}

/**
 * Advisories produced by `produce` into a sink that upserts each one at once. A record stored
 * unchanged (or older than the stored copy) counts as skipped. Records left out, and those stored
 * without affected entries (kept for id, alias and KEV joins, but matching no package), count as
 * skipped too, with their reason.
 */
export function advisoryImport(produce: (sink: AdvisorySink) => ProducedAdvisories): PreparedImport {
  return {
    write(store) {
      const writer = new AdvisoryWriter(store);
      const produced = produce(writer);
      return writer.part(produced);
    },
  };
}

/** An AdvisorySink over the store, counting what it wrote; also used directly by the asynchronous archive reader. */
export class AdvisoryWriter implements AdvisorySink {
  readonly #store: IntelStore;
  readonly #notes = new SkipNotes();
  readonly #remarks = new SkipNotes();
  #written = 0;
  #unchanged = 0;

  constructor(store: IntelStore) {
    this.#store = store;
  }

  add(advisory: Advisory): void {
    const changed = this.#store.upsertAdvisory(advisory);
    if (advisory.affected.length === 0) return;
    if (changed) this.#written++;
    else this.#unchanged++;
  }

  skip(reason: string, recordId: string): void {
    this.#notes.add(reason, recordId);
  }

  note(reason: string, recordId: string): void {
    this.#remarks.add(reason, recordId);
  }

  part({ feed, records, notes = [] }: ProducedAdvisories): ImportedPart {
    return {
      feed,
      records,
      written: this.#written,
      skipped: this.#notes.total + this.#unchanged,
      notes: [...this.#notes.list(), ...this.#remarks.list(), ...notes],
    };
  }
}
