/**
 * Filtered views, built once and served by pointer. A view is the bytes a client gets for one
 * document (a filtered repodata.json, a rehashed shard index, a project page) under one key:
 * (upstream document, its upstream validator, the judge's version). Bytes are stored
 * content-addressed on disk (`<dir>/<sha256>`), so equal views share one file and a request only
 * looks a key up. Concurrent requests for a view being built wait for the one build.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ViewKey {
  /** The configured upstream's name. */
  upstream: string;
  /** The document's path under the upstream (`linux-64/repodata.json`, `simple/zipp/#json`). */
  document: string;
  /** Upstream's validator for the bytes the view was built from (ETag, Last-Modified, or their sha256). */
  upstreamTag: string;
  /** `Judgement.version` the view was built under. */
  version: string;
}

export interface View {
  /** The stored file holding the bytes (content-addressed: never rewritten while it exists). */
  file: string;
  size: number;
  /** sha256 of the bytes, hex. */
  sha256: string;
  /** The proxy's own validator: derived from the key, never upstream's ETag passed through. */
  etag: string;
  contentType: string;
  /** How many records or files the filter withheld (for logs and metrics). */
  withheld: number;
}

/** A view's bytes in memory, or (for large ones, written in pieces) in a file from `scratchFile()`. */
export type BuiltView = BuiltBytes | BuiltFile;

export interface BuiltBytes {
  body: Uint8Array;
  contentType: string;
  withheld?: number;
}

export interface BuiltFile {
  /** A file from `scratchFile()`, complete: the store moves it into place (or removes it when equal bytes are stored). */
  file: string;
  /** sha256 of the file's bytes, hex (the builder hashes while it writes). */
  sha256: string;
  size: number;
  contentType: string;
  withheld?: number;
}

export interface ViewStoreOptions {
  /** Where view bytes are stored. */
  dir: string;
  /** Keys remembered in memory (oldest forgotten first; their files stay until `prune`). */
  maxKeys?: number;
  /** Views kept per document (the newest); older ones are forgotten, their files pruned later. */
  perDocument?: number;
}

export class ViewStore {
  private readonly dir: string;
  private readonly maxKeys: number;
  private readonly pointers = new Map<string, View>();
  private readonly building = new Map<string, Promise<View>>();
  private readonly perDocument: number;
  /** Per document: its views' ids, oldest first. */
  private readonly documents = new Map<string, string[]>();
  /** Files whose view was forgotten, and when: `prune` removes them after a grace period. */
  private readonly forgotten = new Map<string, number>();

  constructor(options: ViewStoreOptions) {
    this.dir = options.dir;
    this.maxKeys = options.maxKeys ?? 200_000;
    this.perDocument = options.perDocument ?? 4;
    mkdirSync(this.dir, { recursive: true });
  }

  /** The view for a key, building it (once, however many ask at the same time) when it is not stored. */
  async get(key: ViewKey, build: () => Promise<BuiltView>): Promise<View> {
    const id = keyId(key);
    const known = this.pointers.get(id);
    if (known) {
      // refresh its place in the insertion order: the map is the LRU
      this.pointers.delete(id);
      this.pointers.set(id, known);
      return known;
    }
    let pending = this.building.get(id);
    if (!pending) {
      pending = build()
        .then((built) => this.store(id, built))
        .finally(() => this.building.delete(id));
      this.building.set(id, pending);
    }
    return pending;
  }

  /** The stored view for a key, if any (no build). */
  peek(key: ViewKey): View | undefined {
    return this.pointers.get(keyId(key));
  }

  get size(): number {
    return this.pointers.size;
  }

  /** A fresh path in the store's directory (same file system, so `BuiltFile` moves are renames). */
  scratchFile(): string {
    return join(this.dir, `scratch-${randomBytes(8).toString('hex')}.tmp`);
  }

  private store(id: string, built: BuiltView): View {
    const sha256 = 'body' in built ? createHash('sha256').update(built.body).digest('hex') : built.sha256;
    const file = join(this.dir, sha256);
    if ('file' in built) {
      if (exists(file)) rmSync(built.file, { force: true });
      else renameSync(built.file, file);
    } else if (!exists(file)) {
      const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        writeFileSync(temporary, built.body);
        renameSync(temporary, file);
      } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
      }
    }
    const view: View = {
      file,
      size: 'body' in built ? built.body.byteLength : built.size,
      sha256,
      etag: `"cvb-${createHash('sha256').update(id).update('\0').update(sha256).digest('hex').slice(0, 32)}"`,
      contentType: built.contentType,
      withheld: built.withheld ?? 0,
    };
    this.pointers.set(id, view);
    this.forgotten.delete(file);
    const document = documentOf(id);
    const ids = (this.documents.get(document) ?? []).filter((known) => known !== id);
    ids.push(id);
    while (ids.length > this.perDocument) this.forget(ids.shift() as string);
    this.documents.set(document, ids);
    while (this.pointers.size > this.maxKeys) {
      const oldest = this.pointers.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
    return view;
  }

  private forget(id: string): void {
    const view = this.pointers.get(id);
    this.pointers.delete(id);
    if (view) this.forgotten.set(view.file, Date.now());
  }

  /**
   * Removes stored files no view points at any more: forgotten for longer than `graceMs` (a client
   * may still be reading one), or left by an earlier run and older than that. Without it, every
   * policy or cooldown change would leave a filtered repodata behind for good.
   */
  prune(now: number, graceMs: number): number {
    const live = new Set([...this.pointers.values()].map((view) => view.file));
    let removed = 0;
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name);
      if (live.has(file) || (this.building.size > 0 && name.startsWith('scratch-'))) continue;
      const since = this.forgotten.get(file) ?? modifiedAt(file);
      if (since === undefined || now - since < graceMs) continue;
      rmSync(file, { force: true });
      this.forgotten.delete(file);
      removed++;
    }
    return removed;
  }
}

function documentOf(id: string): string {
  const [upstream, document] = id.split('\0');
  return `${upstream}\0${document}`;
}

function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function keyId(key: ViewKey): string {
  return [key.upstream, key.document, key.upstreamTag, key.version].join('\0');
}

function exists(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
