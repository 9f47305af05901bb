/**
 * One conda channel through the proxy, mounted at `/conda/<name>/`: filtered metadata (repodata
 * and its `.zst`, current_repodata, run_exports, sharded repodata with the changed shards
 * rehashed, channeldata) and packages enforced at download. Every view is built once per
 * (upstream bytes, judge version) and then served by pointer; the forms nothing here filters
 * (`.bz2`, `.jlap`, `repodata_from_packages.json`) answer 404, the only status that makes clients
 * fall back to another form.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { constants, createZstdCompress } from 'node:zlib';
import {
  decodeShard,
  decodeShardIndex,
  encodeShardIndex,
  encodeZstdMsgpack,
  resolveBaseUrl,
  type ShardIndex,
  shardRecords,
  shardUrl,
} from '../../conda/shards.ts';
import { parseCondaArchiveName } from '../../conda/url.ts';
import { CvebuildError, isCvebuildError } from '../../errors.ts';
import { normalizeCondaName, type Package } from '../../model/package.ts';
import { type Dict, isDict } from '../../readers/fields.ts';
import { sendNotFound, sendRefusal, sendView } from '../respond.ts';
import type { BlockReason, Judge } from '../types.ts';
import type { UpstreamClient, UpstreamDocument } from '../upstream.ts';
import type { View, ViewKey, ViewStore } from '../views.ts';
import { DecisionCollector, type Decisions, JudgeUnavailable, JudgeVersionMoved, judgeVersion } from './decisions.ts';
import { fetchVerified, packageContentType, streamVerified } from './download.ts';
import { buildStem, condaPackage } from './package.ts';
import { type Route, routeOf } from './paths.ts';
import { readRecords } from './records.ts';
import { filterRepodata } from './repodata-filter.ts';
import { addShardRecords, shardDecisions } from './shard-judgement.ts';
import { predictShards, type ShardPrediction } from './shard-prediction.ts';
import { filterShard } from './shards.ts';

export interface CondaChannelConfig {
  name: string;
  /** Upstream channel base URL. */
  url: string;
  /** Subdirs served (`noarch` always); absent: any subdir upstream has. */
  subdirs?: string[];
}

export interface CondaChannelDeps {
  judge: Judge;
  views: ViewStore;
  upstream: UpstreamClient;
  log: (line: Record<string, unknown>) => void;
  metadataMaxAgeS: number;
  clock?: () => number;
}

export interface CondaChannel {
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Packages: caches in front must ask again, so a quarantine reaches a file already cached. */
const PACKAGE_CACHE = 'no-cache';
/** CEP 16 suggests keeping superseded shards about a week for clients holding an older index. */
const SHARD_GRACE_MS = 7 * 24 * 3600_000;
const SHARD_GRACE_SNAPSHOTS = 8;
const SHARD_FETCH_CONCURRENCY = 16;
/** Where the shard index build learns which shards change, best first (`true`: zstd). */
const MONOLITHIC_FORMS = [
  ['repodata.json.zst', true],
  ['repodata.json', false],
] as const;
/** Shards per judge call on the sharded path (and per re-encoding round). */
const SHARD_CHUNK = 256;
const MAX_SIDECAR_BYTES = 16 * 1024 * 1024;
const CACHED_SNAPSHOTS = 64;
const BUILD_ATTEMPTS = 3;

const JSON_TYPE = 'application/json';
const ZSTD_TYPE = 'application/zstd';

interface MonolithicSnapshot {
  view: View;
  decisions: Decisions;
  kept: Map<string, { start: number; end: number }>;
  filesBase: string;
  tag: string;
}

/** Upstream's hash kept because the monolithic repodata says the filter leaves the shard as it is: judged on first request. */
interface PredictedShard {
  kind: 'predicted';
  name: string;
  hash: string;
  url: string;
}

type ServedShard =
  | { kind: 'upstream'; url: string }
  | PredictedShard
  | { kind: 'rehashed'; view: View }
  /** A predicted hash its own records proved wrong: answered 503 so the client fetches the index again. */
  | { kind: 'withdrawn' };

interface ShardVerdict {
  /** The filter leaves the shard as upstream has it. */
  clean: boolean;
  /** Decisions on the shard's builds (its own records and the prediction's). */
  decisions: Decisions;
  shard: Dict;
  url: string;
}

interface ShardSnapshot {
  builtAt: number;
  version: string;
  indexSha256: string;
  indexView: View;
  /** Absent: upstream has no monolithic repodata, every shard was fetched. */
  prediction?: ShardPrediction;
  /** Decisions on the fetched shards' records. */
  decisions: Decisions;
  /** Upstream's index: name → upstream hash. */
  upstreamShards: Map<string, string>;
  shardsBase: string;
  filesBase: string;
  /** Hashes the filtered index lists. */
  served: Map<string, ServedShard>;
  /** Files the fetched (filtered) shards keep. */
  allowed: Set<string>;
  /** Predicted shards judged so far, by upstream hash. */
  verdicts: Map<string, Promise<ShardVerdict>>;
  tag: string;
}

type Found = { pkg: Package; url: string };

/** What a subdir offers for download: the sharded view when upstream has one, else the monolithic one. */
interface RecordSource {
  tag: string;
  /** For documents that follow the subdir's records (run_exports.json): true unless the file is known and allowed. */
  withholds(filename: string): boolean;
  /** A download: refused, unknown (undefined), or the record the bytes are checked against. */
  lookup(filename: string): Promise<{ blocked: BlockReason[] } | Found | undefined>;
}

class NotFound extends Error {}

export function createCondaChannel(config: CondaChannelConfig, deps: CondaChannelDeps): CondaChannel {
  const { judge, views, upstream, log } = deps;
  const clock = deps.clock ?? Date.now;
  const base = config.url.replace(/\/+$/, '');
  const metadataCache = `public, max-age=${deps.metadataMaxAgeS}`;
  const maxAgeMs = deps.metadataMaxAgeS * 1000;
  const scope = { upstream: config.name, ecosystem: 'conda' as const };
  const snapshots = new Map<string, Promise<unknown>>();
  const recentShardSnapshots = new Map<string, ShardSnapshot[]>();
  /** Per subdir: names whose predicted shard proved changed, for the current upstream index. */
  const corrections = new Map<string, { indexSha256: string; names: Set<string> }>();

  const upstreamUrl = (subdir: string, file: string) => `${base}/${subdir}/${file}`;
  const viewKey = (document: string, upstreamTag: string, version: string): ViewKey => ({
    upstream: config.name,
    document,
    upstreamTag,
    version,
  });

  async function fetchDocument(url: string, ageMs = maxAgeMs): Promise<UpstreamDocument | undefined> {
    const answer = await upstream.document(url, { maxAgeMs: ageMs });
    return 'missing' in answer ? undefined : answer;
  }

  /** Single-flight, remembered per key; a failed build is forgotten so the next request tries again. */
  function remembered<T>(key: string, build: () => Promise<T>): Promise<T> {
    const known = snapshots.get(key) as Promise<T> | undefined;
    if (known) return known;
    const pending = build();
    snapshots.set(key, pending);
    pending.catch(() => snapshots.delete(key));
    while (snapshots.size > CACHED_SNAPSHOTS) {
      const oldest = snapshots.keys().next().value;
      if (oldest === undefined) break;
      snapshots.delete(oldest);
    }
    return pending;
  }

  /** Builds again when the judge's version moved during a build. */
  async function withCurrentVersion<T>(build: (version: string) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const version = await judgeVersion(judge, config.name);
      try {
        return await build(version);
      } catch (error) {
        if (!(error instanceof JudgeVersionMoved) || attempt >= BUILD_ATTEMPTS) throw error;
      }
    }
  }

  // ---- monolithic repodata ----

  async function monolithic(subdir: string, file: 'repodata.json' | 'current_repodata.json') {
    const url = upstreamUrl(subdir, file);
    const doc = await fetchDocument(url);
    if (!doc) return undefined;
    return withCurrentVersion((version) =>
      remembered(`mono\0${subdir}/${file}\0${doc.sha256}\0${version}`, async (): Promise<MonolithicSnapshot> => {
        const started = clock();
        const records = await readRecords(doc.file, url);
        try {
          const filesBase = resolveBaseUrl(records.info.base_url, url);
          const output = views.scratchFile();
          const filtered = await filterRepodata(
            records,
            { subdir, channel: base, filesBase, source: url, judge, scope },
            output,
          );
          const decisions = filtered.decisions as Decisions;
          const view = await views.get(viewKey(`${subdir}/${file}`, doc.sha256, decisions.version), async () => ({
            file: filtered.file,
            sha256: filtered.sha256,
            size: filtered.size,
            contentType: JSON_TYPE,
            withheld: filtered.withheld,
          }));
          rmSync(output, { force: true }); // left over when the view was stored already
          log({
            event: 'conda.view',
            channel: config.name,
            document: `${subdir}/${file}`,
            withheld: filtered.withheld,
            records: filtered.kept.size,
            version: decisions.version,
            ms: clock() - started,
          });
          return { view, decisions, kept: filtered.kept, filesBase, tag: `${doc.sha256}/${decisions.version}` };
        } finally {
          await records.close();
        }
      }),
    );
  }

  async function zstdView(subdir: string): Promise<View | undefined> {
    const json = await monolithic(subdir, 'repodata.json');
    if (!json) return undefined;
    return views.get(viewKey(`${subdir}/repodata.json.zst`, json.view.sha256, 'zstd-3'), async () => {
      const output = views.scratchFile();
      const hash = createHash('sha256');
      let size = 0;
      try {
        await pipeline(
          createReadStream(json.view.file),
          createZstdCompress({ params: { [constants.ZSTD_c_compressionLevel]: 3 } }),
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              hash.update(chunk);
              size += chunk.byteLength;
              yield chunk;
            }
          },
          createWriteStream(output, { flags: 'wx' }),
        );
      } catch (error) {
        rmSync(output, { force: true });
        throw error;
      }
      return { file: output, sha256: hash.digest('hex'), size, contentType: ZSTD_TYPE };
    });
  }

  // ---- sharded repodata ----

  async function sharded(subdir: string): Promise<ShardSnapshot | undefined> {
    const url = upstreamUrl(subdir, 'repodata_shards.msgpack.zst');
    const doc = await fetchDocument(url);
    if (!doc) return undefined;
    const fixes = corrections.get(subdir);
    const forced = fixes?.indexSha256 === doc.sha256 ? fixes.names : new Set<string>();
    const snapshot = await withCurrentVersion((version) =>
      remembered(`shards\0${subdir}\0${doc.sha256}\0${version}\0${forced.size}`, () =>
        buildShardSnapshot(subdir, url, doc, version, new Set(forced)),
      ),
    );
    const recent = recentShardSnapshots.get(subdir) ?? [];
    if (!recent.includes(snapshot)) {
      recent.unshift(snapshot);
      const cutoff = clock() - SHARD_GRACE_MS;
      recentShardSnapshots.set(
        subdir,
        recent.filter((item, index) => index < SHARD_GRACE_SNAPSHOTS && item.builtAt >= cutoff),
      );
    }
    return snapshot;
  }

  /**
   * The subdir's monolithic repodata judged once, telling which shards the filter would change;
   * undefined when upstream has none (404) or it cannot be read: then every shard is fetched.
   */
  async function shardPrediction(subdir: string, filesBase: string, version: string) {
    for (const [file, zstd] of MONOLITHIC_FORMS) {
      const url = upstreamUrl(subdir, file);
      try {
        const doc = await fetchDocument(url);
        if (!doc) continue;
        return await remembered(`predict\0${subdir}\0${doc.sha256}\0${filesBase}\0${version}`, async () => {
          const prediction = await predictShards(doc.file, zstd, doc.sha256, {
            subdir,
            channel: base,
            filesBase,
            source: url,
            judge,
            scope,
          });
          if (prediction.decisions.version !== version)
            throw new JudgeVersionMoved('the policy changed while the view was built');
          return prediction;
        });
      } catch (error) {
        if (!isCvebuildError(error)) throw error;
        // fail closed by doing the expensive thing: every shard fetched and judged
        log({ event: 'conda.prediction-unusable', channel: config.name, subdir, url, error: error.toLine() });
        return undefined;
      }
    }
    return undefined;
  }

  async function buildShardSnapshot(
    subdir: string,
    url: string,
    doc: UpstreamDocument,
    version: string,
    forced: Set<string>,
  ): Promise<ShardSnapshot> {
    const started = clock();
    const index = decodeShardIndex(await readFile(doc.file), url);
    const filesBase = resolveBaseUrl(index.info.base_url, url);
    const shardsBase = resolveBaseUrl(index.info.shards_base_url ?? './shards/', url);
    const prediction = await shardPrediction(subdir, filesBase, version);
    const collector = new DecisionCollector(judge, scope);
    const served = new Map<string, ServedShard>();
    const names = new Map<string, string>();
    const allowed = new Set<string>();
    const rehashed: { name: string; upstreamHash: string; bytes: Uint8Array }[] = [];
    const fetch: [string, string][] = [];
    let withheld = 0;
    for (const [name, hash] of index.shards) {
      const normalized = normalizeCondaName(name);
      // a name the monolithic document lacks (a newer snapshot than it) is fetched like a blocked one
      if (prediction?.names.has(normalized) && !prediction.blockedNames.has(normalized) && !forced.has(name)) {
        names.set(name, hash);
        served.set(hash, { kind: 'predicted', name, hash, url: `${shardsBase}${hash}.msgpack.zst` });
      } else {
        fetch.push([name, hash]);
      }
    }
    for (let at = 0; at < fetch.length; at += SHARD_CHUNK) {
      const chunk = fetch.slice(at, at + SHARD_CHUNK);
      const shards = await mapLimited(chunk, SHARD_FETCH_CONCURRENCY, ([name, hash]) =>
        upstreamShard(subdir, shardsBase, name, hash),
      );
      for (const [position, shard] of shards.entries()) {
        if (!shard) continue;
        const name = (chunk[position] as [string, string])[0];
        await addShardRecords(collector, name, shard.value, { subdir, channel: base, filesBase, source: shard.url });
      }
      const soFar = await collector.decisionsSoFar();
      const sources = prediction ? [prediction.decisions, soFar] : [soFar];
      for (const [position, shard] of shards.entries()) {
        const [name, hash] = chunk[position] as [string, string];
        if (!shard) continue;
        const filtered = filterShard(shard.value, shardDecisions(shard.value, version, sources));
        withheld += filtered.withheld;
        // a predicted hash found changed on request: clients holding it are told to fetch the index again
        if (forced.has(name) && filtered.changed) served.set(hash, { kind: 'withdrawn' });
        if (filtered.remaining === 0) continue;
        for (const key of ['packages', 'packages.conda']) {
          for (const filename of Object.keys((filtered.shard[key] as Dict | undefined) ?? {})) allowed.add(filename);
        }
        if (!filtered.changed) {
          names.set(name, hash);
          served.set(hash, { kind: 'upstream', url: shard.url });
        } else {
          rehashed.push({ name, upstreamHash: hash, bytes: encodeZstdMsgpack(filtered.shard) });
        }
      }
    }
    const decisions = await collector.finish();
    if (decisions.version !== version) throw new JudgeVersionMoved('the policy changed while the view was built');
    // what the filtered index and shards were built from, besides upstream's index and the policy
    const inputs = `${prediction ? `mono-${prediction.sha256}` : 'all-shards'}+fixed-${forced.size}`;
    for (const { name, upstreamHash, bytes } of rehashed) {
      const view = await views.get(
        viewKey(`${subdir}/shards/${upstreamHash}`, `${upstreamHash}+${inputs}`, version),
        async () => ({ body: bytes, contentType: ZSTD_TYPE }),
      );
      names.set(name, view.sha256);
      served.set(view.sha256, { kind: 'rehashed', view });
    }
    const filteredIndex: ShardIndex = {
      info: { ...index.info, base_url: './', shards_base_url: './shards/' },
      shards: new Map([...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    };
    const indexView = await views.get(
      viewKey(`${subdir}/repodata_shards.msgpack.zst`, `${doc.sha256}+${inputs}`, version),
      async () => ({ body: encodeShardIndex(filteredIndex), contentType: ZSTD_TYPE, withheld }),
    );
    log({
      event: 'conda.view',
      channel: config.name,
      document: `${subdir}/repodata_shards.msgpack.zst`,
      withheld,
      shards: names.size,
      fetched: fetch.length,
      predicted: index.shards.size - fetch.length,
      rehashed: rehashed.length,
      version,
      ms: clock() - started,
    });
    return {
      builtAt: clock(),
      version,
      indexSha256: doc.sha256,
      indexView,
      prediction,
      decisions,
      upstreamShards: index.shards,
      shardsBase,
      filesBase,
      served,
      allowed,
      verdicts: new Map(),
      tag: `${doc.sha256}+${inputs}/${version}`,
    };
  }

  /** An upstream shard, checked against its hash (upstream shards are immutable: fetched once). */
  async function upstreamShard(subdir: string, shardsBase: string, name: string, hash: string) {
    const url = shardUrl(shardsBase, hash);
    const doc = await fetchDocument(url, Number.POSITIVE_INFINITY);
    if (!doc || doc.sha256 !== hash) {
      // fail closed: the name is left out of the filtered index
      log({
        event: 'conda.shard-unusable',
        channel: config.name,
        subdir,
        name,
        url,
        reason: doc ? 'bytes do not match the hash' : 'missing upstream',
      });
      return undefined;
    }
    return { url, doc, value: decodeShard(await readFile(doc.file), url) };
  }

  /** A predicted shard's own records judged (once per snapshot): it is passed through only when the filter leaves it as it is. */
  function verdictOn(subdir: string, snapshot: ShardSnapshot, entry: PredictedShard): Promise<ShardVerdict> {
    const known = snapshot.verdicts.get(entry.hash);
    if (known) return known;
    const pending = (async (): Promise<ShardVerdict> => {
      const shard = await upstreamShard(subdir, snapshot.shardsBase, entry.name, entry.hash);
      if (!shard) throw new CvebuildError('NETWORK', `upstream ${entry.url}: shard unavailable`);
      const collector = new DecisionCollector(judge, scope);
      const place = { subdir, channel: base, filesBase: snapshot.filesBase, source: shard.url };
      await addShardRecords(collector, entry.name, shard.value, place);
      const own = await collector.finish();
      const sources = snapshot.prediction ? [snapshot.prediction.decisions, own] : [own];
      const decisions = shardDecisions(shard.value, own.version, sources);
      const clean = !filterShard(shard.value, decisions).changed;
      if (!clean) withdraw(subdir, snapshot, entry);
      return { clean, decisions, shard: shard.value, url: shard.url };
    })();
    snapshot.verdicts.set(entry.hash, pending);
    pending.catch(() => snapshot.verdicts.delete(entry.hash));
    return pending;
  }

  /** The monolithic document did not cover this shard (another upstream snapshot): the next index fetches and filters it. */
  function withdraw(subdir: string, snapshot: ShardSnapshot, entry: PredictedShard): void {
    const fixes = corrections.get(subdir);
    const names = fixes?.indexSha256 === snapshot.indexSha256 ? fixes.names : new Set<string>();
    names.add(entry.name);
    corrections.set(subdir, { indexSha256: snapshot.indexSha256, names });
    log({ event: 'conda.shard-skew', channel: config.name, subdir, name: entry.name, hash: entry.hash });
  }

  async function serveShard(req: IncomingMessage, res: ServerResponse, subdir: string, hash: string) {
    const current = await sharded(subdir);
    if (!current) return sendNotFound(req, res, 'this channel has no sharded repodata');
    let entry = current.served.get(hash);
    if (entry?.kind === 'predicted' && !(await verdictOn(subdir, current, entry)).clean) entry = { kind: 'withdrawn' };
    if (!entry) {
      // a client holding an older index: serve the hash only while the current policy would not change it
      const older = (recentShardSnapshots.get(subdir) ?? []).find((snapshot) => snapshot.served.has(hash));
      const candidate = older?.served.get(hash);
      if (candidate && (await stillClean(candidate, current))) entry = candidate;
    }
    if (!entry) return sendNotFound(req, res, 'no such shard');
    if (entry.kind === 'withdrawn')
      return sendRefusal(req, res, 503, 'this shard changed upstream: fetch repodata_shards.msgpack.zst again');
    const view = entry.kind === 'rehashed' ? entry.view : await upstreamShardView(subdir, hash, entry.url);
    await sendView(req, res, view, { cacheControl: IMMUTABLE });
  }

  async function upstreamShardView(subdir: string, hash: string, url: string): Promise<View> {
    return views.get(viewKey(`${subdir}/shards/${hash}`, hash, 'upstream'), async () => {
      const doc = await fetchDocument(url, Number.POSITIVE_INFINITY);
      if (!doc || doc.sha256 !== hash) throw new CvebuildError('NETWORK', `upstream ${url}: shard unavailable`);
      return { body: await readFile(doc.file), contentType: ZSTD_TYPE };
    });
  }

  async function stillClean(entry: ServedShard, current: ShardSnapshot): Promise<boolean> {
    if (entry.kind === 'withdrawn') return false;
    const bytes =
      entry.kind === 'rehashed'
        ? await readFile(entry.view.file)
        : await fetchDocument(entry.url, Number.POSITIVE_INFINITY).then((doc) =>
            doc ? readFile(doc.file) : undefined,
          );
    if (!bytes) return false;
    const shard = decodeShard(bytes, entry.kind === 'rehashed' ? 'stored shard' : entry.url);
    const collector = new DecisionCollector(judge, scope);
    for (const [, filename, record] of shardRecords(shard)) {
      await collector.add(
        filename,
        condaPackage(record, {
          filename,
          subdir: '',
          channel: base,
          url: current.filesBase + filename,
          source: 'shard',
        }),
      );
    }
    const own = await collector.finish();
    const sources = current.prediction ? [current.prediction.decisions, own] : [own];
    return !filterShard(shard, shardDecisions(shard, own.version, sources)).changed;
  }

  // ---- what a subdir offers for download ----

  async function recordSource(subdir: string): Promise<RecordSource | undefined> {
    const shards = await sharded(subdir);
    if (shards) {
      const blocked = (filename: string) =>
        shards.decisions.blocked.get(buildStem(filename)) ??
        shards.prediction?.decisions.blocked.get(buildStem(filename));
      /** The served entry of the upstream shard a file belongs in (predicted, or fetched and unchanged). */
      const entryOf = (filename: string) => {
        const name = parseCondaArchiveName(filename)?.name;
        const hash = name === undefined ? undefined : shards.upstreamShards.get(name);
        return { name, hash, entry: hash === undefined ? undefined : shards.served.get(hash) };
      };
      return {
        tag: shards.tag,
        withholds(filename) {
          if (blocked(filename)) return true;
          const { entry } = entryOf(filename);
          if (entry?.kind === 'predicted') return !shards.prediction?.files.has(filename);
          return !shards.allowed.has(filename);
        },
        async lookup(filename) {
          const reasons = blocked(filename);
          if (reasons) return { blocked: reasons };
          const { name, hash, entry } = entryOf(filename);
          if (name === undefined || hash === undefined) return undefined;
          if (entry?.kind === 'predicted') {
            const verdict = await verdictOn(subdir, shards, entry);
            const found = verdict.decisions.blocked.get(buildStem(filename));
            if (found) return { blocked: found };
            return recordIn(verdict.shard, filename, subdir, shards.filesBase, verdict.url);
          }
          if (!shards.allowed.has(filename)) return undefined;
          const shard = await upstreamShard(subdir, shards.shardsBase, name, hash);
          return shard ? recordIn(shard.value, filename, subdir, shards.filesBase, shard.url) : undefined;
        },
      };
    }
    const mono = await monolithic(subdir, 'repodata.json');
    if (!mono) return undefined;
    const blocked = (filename: string) => mono.decisions.blocked.get(buildStem(filename));
    return {
      tag: mono.tag,
      withholds: (filename) => blocked(filename) !== undefined || !mono.kept.has(filename),
      async lookup(filename) {
        const reasons = blocked(filename);
        if (reasons) return { blocked: reasons };
        const span = mono.kept.get(filename);
        if (!span) return undefined;
        const text = await readSpan(mono.view.file, span.start, span.end);
        const url = mono.filesBase + filename;
        const outcome = condaPackage(JSON.parse(text), {
          filename,
          subdir,
          channel: base,
          url,
          source: 'filtered repodata',
        });
        return outcome.ok ? { pkg: outcome.pkg, url } : undefined;
      },
    };
  }

  function recordIn(
    shard: Dict,
    filename: string,
    subdir: string,
    filesBase: string,
    source: string,
  ): Found | undefined {
    for (const [key, file, record] of shardRecords(shard)) {
      if (file !== filename || key.startsWith('v3')) continue;
      const url = filesBase + filename;
      const outcome = condaPackage(record, { filename, subdir, channel: base, url, source });
      return outcome.ok ? { pkg: outcome.pkg, url } : undefined;
    }
    return undefined;
  }

  async function servePackage(req: IncomingMessage, res: ServerResponse, subdir: string, filename: string) {
    const source = await recordSource(subdir);
    if (!source) return sendNotFound(req, res, `no subdir ${subdir} upstream`);
    const found = await source.lookup(filename);
    if (found && 'blocked' in found) {
      const reasons = found.blocked;
      log({
        event: 'conda.download-blocked',
        channel: config.name,
        subdir,
        file: filename,
        method: req.method,
        reasons: reasons.map((reason) => `${reason.source}:${reason.id}`),
      });
      return sendRefusal(req, res, 403, `${subdir}/${filename} is blocked by policy`, reasons);
    }
    if (!found) return sendNotFound(req, res, `${subdir}/${filename} is not in the channel`);
    const { pkg, url } = found;
    const expected = { filename, url, sha256: pkg.sha256, md5: pkg.md5, size: pkg.size };
    const contentType = packageContentType(filename);
    const key = viewKey(`${subdir}/${filename}`, pkg.sha256 ?? pkg.md5 ?? '', 'verified');
    const verified = views.peek(key);
    if (verified) return sendView(req, res, verified, { cacheControl: PACKAGE_CACHE });
    if (req.method === 'HEAD') {
      res.writeHead(200, {
        'content-type': contentType,
        'cache-control': PACKAGE_CACHE,
        'accept-ranges': 'bytes',
        ...(pkg.size === undefined ? {} : { 'content-length': String(pkg.size) }),
      });
      res.end();
      return;
    }
    if (req.headers.range) {
      // a partial read cannot be checked against the record: fetch the whole file once, verify it, serve ranges from it
      const view = await views.get(key, async () => {
        const built = await fetchVerified(upstream, expected, views.scratchFile(), contentType);
        if ('missing' in built) throw new NotFound();
        return built;
      });
      return sendView(req, res, view, { cacheControl: PACKAGE_CACHE });
    }
    const result = await streamVerified(res, upstream, expected, {
      'content-type': contentType,
      'cache-control': PACKAGE_CACHE,
    });
    if (result.outcome === 'missing') return sendNotFound(req, res, `${subdir}/${filename} is missing upstream`);
    if (result.outcome === 'mismatch')
      log({
        event: 'conda.download-mismatch',
        channel: config.name,
        subdir,
        file: filename,
        url,
        detail: result.detail,
      });
  }

  async function serveSidecar(
    req: IncomingMessage,
    res: ServerResponse,
    subdir: string,
    filename: string,
    sidecar: string,
  ) {
    const source = await recordSource(subdir);
    if (!source) return sendNotFound(req, res, `no subdir ${subdir} upstream`);
    const found = await source.lookup(filename);
    if (found && 'blocked' in found)
      return sendRefusal(req, res, 403, `${subdir}/${filename} is blocked by policy`, found.blocked);
    if (!found) return sendNotFound(req, res, `${subdir}/${filename} is not in the channel`);
    const url = found.url + sidecar;
    const response = await upstream.open(url, { method: 'GET' });
    if (response.status === 404 || response.status === 410) {
      await response.body?.cancel();
      return sendNotFound(req, res, 'no such signature file upstream');
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new CvebuildError('NETWORK', `upstream ${url}: HTTP ${response.status}`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > MAX_SIDECAR_BYTES)
        throw new CvebuildError('INPUT_TOO_LARGE', `upstream ${url}: more than ${MAX_SIDECAR_BYTES} bytes`);
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks);
    res.writeHead(200, {
      'content-type': response.headers.get('content-type') ?? 'application/json',
      'content-length': String(body.byteLength),
      'cache-control': PACKAGE_CACHE,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  // ---- run_exports.json, channeldata.json ----

  async function runExportsView(subdir: string): Promise<View | undefined> {
    const url = upstreamUrl(subdir, 'run_exports.json');
    const doc = await fetchDocument(url);
    if (!doc) return undefined;
    const source = await recordSource(subdir);
    if (!source) return undefined;
    // entries follow the subdir's filtered records: blocked or unknown files are left out
    return views.get(
      viewKey(`${subdir}/run_exports.json`, `${doc.sha256}+${source.tag}`, 'follows-repodata'),
      async () => {
        const records = await readRecords(doc.file, url);
        try {
          const output = views.scratchFile();
          const filtered = await filterRepodata(
            records,
            { subdir, channel: base, filesBase: '', source: url, judge, scope },
            output,
            (filename) => source.withholds(filename),
          );
          return {
            file: filtered.file,
            sha256: filtered.sha256,
            size: filtered.size,
            contentType: JSON_TYPE,
            withheld: filtered.withheld,
          };
        } finally {
          await records.close();
        }
      },
    );
  }

  async function channeldataView(): Promise<View | undefined> {
    const url = `${base}/channeldata.json`;
    const doc = await fetchDocument(url);
    if (!doc) return undefined;
    return withCurrentVersion(async (version) =>
      views.get(viewKey('channeldata.json', doc.sha256, version), async () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(await readFile(doc.file, 'utf8'));
        } catch (error) {
          throw new CvebuildError('JSON_SYNTAX', `not JSON: ${(error as Error).message}`, { file: url });
        }
        if (!isDict(parsed) || (parsed.packages !== undefined && !isDict(parsed.packages)))
          throw new CvebuildError('INPUT_UNRECOGNIZED', 'expected {packages: {...}}', { file: url });
        // each entry names the newest version: an entry whose newest version is blocked goes (no install path reads this file)
        const entries = Object.entries((parsed.packages as Dict | undefined) ?? {});
        const collector = new DecisionCollector(judge, scope);
        for (const [name, entry] of entries)
          await collector.add(`${name}-channeldata`, channeldataPackage(name, entry, base, url));
        const decisions = await collector.finish();
        if (decisions.version !== version) throw new JudgeVersionMoved('the policy changed while the view was built');
        const packages: Dict = {};
        let withheld = 0;
        for (const [name, entry] of entries) {
          if (decisions.blocked.has(`${name}-channeldata`)) withheld++;
          else packages[name] = entry;
        }
        return { body: Buffer.from(JSON.stringify({ ...parsed, packages })), contentType: JSON_TYPE, withheld };
      }),
    );
  }

  // ---- requests ----

  async function route(req: IncomingMessage, res: ServerResponse, target: Route): Promise<void> {
    switch (target.kind) {
      case 'none':
        return sendNotFound(req, res, target.why);
      case 'channeldata': {
        const view = await channeldataView();
        return view ? sendView(req, res, view, { cacheControl: metadataCache }) : sendNotFound(req, res);
      }
      case 'repodata': {
        const { subdir, variant } = target;
        let view: View | undefined;
        if (variant === 'json') view = (await monolithic(subdir, 'repodata.json'))?.view;
        else if (variant === 'current') view = (await monolithic(subdir, 'current_repodata.json'))?.view;
        else if (variant === 'zst') view = await zstdView(subdir);
        else view = await runExportsView(subdir);
        return view
          ? sendView(req, res, view, { cacheControl: metadataCache })
          : sendNotFound(req, res, 'not offered upstream');
      }
      case 'shard-index': {
        const snapshot = await sharded(target.subdir);
        return snapshot
          ? sendView(req, res, snapshot.indexView, { cacheControl: metadataCache })
          : sendNotFound(req, res, 'this channel has no sharded repodata');
      }
      case 'shard':
        return serveShard(req, res, target.subdir, target.hash);
      case 'package':
        return servePackage(req, res, target.subdir, target.filename);
      case 'sidecar':
        return serveSidecar(req, res, target.subdir, target.filename, target.sidecar);
    }
  }

  return {
    async handle(req, res, path) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        sendRefusal(req, res, 405, 'only GET and HEAD', [], { allow: 'GET, HEAD' });
        return;
      }
      const target = routeOf(path, config.subdirs);
      try {
        await route(req, res, target);
      } catch (error) {
        if (error instanceof NotFound) {
          if (!res.headersSent) sendNotFound(req, res, 'missing upstream');
          return;
        }
        const { status, message } = failure(error);
        log({
          event: 'conda.error',
          channel: config.name,
          path,
          status,
          error: status === 500 ? String(error) : message,
        });
        if (res.headersSent) res.destroy();
        else sendRefusal(req, res, status, message);
      }
    },
  };
}

function channeldataPackage(name: string, entry: unknown, channel: string, source: string) {
  if (!isDict(entry) || typeof entry.version !== 'string') return { ok: false as const, reason: 'no version' };
  const subdirs = Array.isArray(entry.subdirs) ? entry.subdirs.filter((item) => typeof item === 'string') : [];
  const timestamp = typeof entry.timestamp === 'number' ? entry.timestamp : undefined;
  const pkg: Package = {
    ecosystem: 'conda',
    name,
    normalizedName: name.toLowerCase(),
    version: entry.version,
    subdir: subdirs[0],
    platform: subdirs[0] ?? 'noarch',
    channel,
    location: `${channel}/channeldata.json#${name}`,
    ...(timestamp === undefined ? {} : { timestamp: timestamp > 253_402_300_799 ? timestamp : timestamp * 1000 }),
    depends: [],
    requiresDist: [],
    purls: [],
    kind: 'registry',
    environments: [],
    origin: { file: source },
  };
  return { ok: true as const, pkg };
}

async function readSpan(file: string, start: number, end: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    await handle.read(buffer, 0, buffer.byteLength, start);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The status a failure is answered with: upstream slow 504, upstream broken or malformed 502, judge down 503. */
function failure(error: unknown): { status: number; message: string } {
  if (error instanceof JudgeUnavailable || error instanceof JudgeVersionMoved)
    return { status: 503, message: error.message };
  if (isCvebuildError(error)) {
    const line = error.toLine();
    if (error.code === 'NETWORK' && /timed out|no answer within/.test(error.message))
      return { status: 504, message: line };
    return { status: 502, message: `upstream: ${line}` };
  }
  return { status: 500, message: 'internal error' };
}
