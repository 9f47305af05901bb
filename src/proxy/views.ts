/**
 * Filtered views, built once and served by pointer. A view is the bytes a client gets for one
 * document (a filtered repodata.json, a rehashed shard index, a project page) under one key:
 * (upstream document, its upstream validator, the judge's version). Bytes are stored
 * content-addressed on disk (`<dir>/<sha256>`), so equal views share one file and a request only
 * looks a key up. Concurrent requests for a view being built wait for the one build.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

export interface BuiltView {
  body: Uint8Array;
  contentType: string;
  withheld?: number;
}

export interface ViewStoreOptions {
  /** Where view bytes are stored. */
  dir: string;
  /** Keys remembered in memory (oldest forgotten first; their files stay until `prune`). */
  maxKeys?: number;
}

export class ViewStore {
  private readonly dir: string;
  private readonly maxKeys: number;
  private readonly pointers = new Map<string, View>();
  private readonly building = new Map<string, Promise<View>>();

  constructor(options: ViewStoreOptions) {
    this.dir = options.dir;
    this.maxKeys = options.maxKeys ?? 10_000;
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

  private store(id: string, built: BuiltView): View {
    const sha256 = createHash('sha256').update(built.body).digest('hex');
    const file = join(this.dir, sha256);
    if (!exists(file)) {
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
      size: built.body.byteLength,
      sha256,
      etag: `"cvb-${createHash('sha256').update(id).update('\0').update(sha256).digest('hex').slice(0, 32)}"`,
      contentType: built.contentType,
      withheld: built.withheld ?? 0,
    };
    this.pointers.set(id, view);
    while (this.pointers.size > this.maxKeys) {
      const oldest = this.pointers.keys().next().value;
      if (oldest === undefined) break;
      this.pointers.delete(oldest);
    }
    return view;
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
