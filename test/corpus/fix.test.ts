/**
 * `cvebuild fix` on the corpus's pixi-ex-pypi project, with the full threat-intel corpus, against
 * a loopback conda channel and PyPI index serving real metadata from the corpus (see
 * test/helpers/corpus-sources.ts for what that metadata is and why). Expected sets come from the
 * gate's own JSON and from the served data, not from the fix.
 */
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readInventory } from '../../src/engine/read-project.ts';
import { importSources } from '../../src/intel/import/index.ts';
import { openStore } from '../../src/intel/store.ts';
import { normalizeName } from '../../src/model/package.ts';
import { schemeFor } from '../../src/versions/index.ts';
import { runCliAsync } from '../helpers/cli.ts';
import { type ChannelServer, serveChannel } from '../helpers/conda-channel.ts';
import { corpusPypiFiles, writeCorpusCondaForge } from '../helpers/corpus-sources.ts';
import { auditIntelFiles } from '../helpers/intel-corpus.ts';
import { corpus, hasCorpus } from '../helpers/paths.ts';
import { type PypiIndex, startPypiIndex } from '../helpers/pypi-index.ts';
import { tempDirectory } from '../helpers/temp.ts';

const PROJECT = corpus('pixi/pixi-ex-pypi');

interface Blocked {
  ecosystem: 'conda' | 'pypi';
  name: string;
  platforms: Set<string>;
}

describe('cvebuild fix on pixi-ex-pypi', { skip: !hasCorpus && 'needs ../shared/corpus' }, () => {
  let db: string;
  let channelDir: string;
  let channel: ChannelServer;
  let index: PypiIndex;
  let pages: ReturnType<typeof corpusPypiFiles>;
  const blocked = new Map<string, Blocked>();

  before(async () => {
    db = join(tempDirectory(), 'intel.sqlite');
    const store = openStore(db, { create: true });
    try {
      await importSources(
        store,
        auditIntelFiles().map((path) => ({ path })),
      );
    } finally {
      store.close();
    }
    channelDir = writeCorpusCondaForge();
    channel = await serveChannel(channelDir, 'conda-forge');
    const projects = readInventory(PROJECT).packages.filter((pkg) => pkg.ecosystem === 'pypi');
    pages = corpusPypiFiles([...new Set(projects.map((pkg) => pkg.normalizedName))]);
    index = await startPypiIndex(pages);
    const gate = await runCliAsync(['gate', PROJECT, '--db', db, '--offline', '--format', 'json']);
    assert.equal(gate.status, 1, gate.stderr);
    for (const finding of JSON.parse(gate.stdout).findings) {
      if (!finding.blocking || !finding.package) continue;
      const key = `${finding.package.ecosystem}:${normalizeName(finding.package.ecosystem, finding.package.name)}`;
      const entry = blocked.get(key) ?? {
        ecosystem: finding.package.ecosystem,
        name: finding.package.name,
        platforms: new Set(),
      };
      entry.platforms.add(finding.package.platform);
      blocked.set(key, entry);
    }
  });
  after(async () => {
    await channel?.close();
    await index?.close();
  });

  const fix = (path: string, extra: string[] = []) =>
    runCliAsync(
      ['fix', path, '--db', db, '--channel', `conda-forge=${channel.channel}`, '--index', index.url, ...extra],
      { env: { CVEBUILD_CACHE_DIR: tempDirectory() } },
    );

  /** What the loopback sources offer: conda versions per subdir (noarch counts everywhere), PyPI releases. */
  function offered(entry: Blocked): Set<string> {
    if (entry.ecosystem === 'pypi') {
      const files = pages[normalizeName('pypi', entry.name)] ?? [];
      return new Set(files.map((file) => file.filename.split('-')[1]?.replace(/\.(tar\.gz|zip)$/, '') ?? ''));
    }
    let common: Set<string> | undefined;
    for (const platform of entry.platforms) {
      const here = new Set<string>();
      for (const subdir of [platform, 'noarch']) {
        let repodata: { packages?: object; 'packages.conda'?: object };
        try {
          repodata = JSON.parse(readFileSync(join(channelDir, subdir, 'repodata.json'), 'utf8'));
        } catch {
          continue;
        }
        for (const record of [
          ...Object.values(repodata.packages ?? {}),
          ...Object.values(repodata['packages.conda'] ?? {}),
        ])
          if (record.name === entry.name) here.add(record.version);
      }
      common = common ? new Set([...common].filter((version) => here.has(version))) : here;
    }
    return common ?? new Set();
  }

  it('gives one line per blocked package, each with a release the channel or index offers', async () => {
    const { status, stdout, stderr } = await fix(PROJECT);
    assert.equal(stderr, '');
    const lines = stdout.split('\n').filter((line) => / → /.test(line));
    assert.deepEqual(
      lines.map((line) => line.split(' ', 1)[0]).sort(),
      [...blocked.values()].map((entry) => entry.name).sort(),
    );
    let confirmed = 0;
    for (const line of lines) {
      const name = line.split(' ', 1)[0] as string;
      const entry = [...blocked.values()].find((candidate) => candidate.name === name) as Blocked;
      const version = / → ([^\s,(]+) \(/.exec(line)?.[1];
      assert.ok(version, `no version proposed: ${line}`);
      assert.ok(offered(entry).has(version), `${name} ${version} is not offered`);
      assert.ok(schemeFor(entry.ecosystem === 'pypi' ? 'pep440' : 'conda').isValid(version));
      confirmed++;
    }
    // tensorflow 2.14.0, locked beside them, requires keras <2.15 and protobuf <5: those two are conflicts
    assert.match(stdout, /^ {4}conflict: tensorflow 2\.14\.0 requires keras>=2\.14\.0,<2\.15$/m);
    assert.match(stdout, /^ {4}conflict: tensorflow 2\.14\.0 requires protobuf.*<5\.0\.0\.dev0$/m);
    assert.equal(status, 1);
    console.log(
      `fix pixi-ex-pypi: ${blocked.size} blocked packages, ${confirmed} with an offered release\n${lines.join('\n')}`,
    );
  });

  it('--apply on a copy writes a pixi.toml diff that keeps its comments, and never the lock', async () => {
    const dir = tempDirectory();
    cpSync(join(PROJECT, 'pixi.toml'), join(dir, 'pixi.toml'));
    cpSync(join(PROJECT, 'pixi.lock'), join(dir, 'pixi.lock'));
    const before = readFileSync(join(dir, 'pixi.toml'), 'utf8');
    const { stdout } = await fix(dir, ['--apply', '--format', 'json']);
    const plan = JSON.parse(stdout);
    assert.equal(plan.applied, true);
    const after = readFileSync(join(dir, 'pixi.toml'), 'utf8');
    assert.notEqual(after, before);
    const comments = (text: string) => text.split('\n').filter((line) => line.trimStart().startsWith('#'));
    assert.deepEqual(comments(after), comments(before));
    // every line of the original is still there, in order, except the requirements the fix raised
    const raised = new Set(
      plan.packages.flatMap((pkg: { edits: { before: string }[] }) => pkg.edits.map((edit) => edit.before)),
    );
    const kept = before.split('\n').filter((line) => !raised.has(line));
    const remaining = after.split('\n');
    let at = 0;
    for (const line of kept) {
      at = remaining.indexOf(line, at);
      assert.ok(at >= 0, `lost: ${line}`);
    }
    assert.deepEqual(readFileSync(join(dir, 'pixi.lock')), readFileSync(join(PROJECT, 'pixi.lock')));
    // the written manifest declares each fix at a version range that admits it
    const declared = readInventory(join(dir, 'pixi.toml')).manifest.dependencies;
    for (const pkg of plan.packages.filter((entry: { edits: unknown[] }) => entry.edits.length > 0)) {
      const dependency = declared.find(
        (candidate) =>
          candidate.ecosystem === pkg.ecosystem && candidate.normalizedName === normalizeName(pkg.ecosystem, pkg.name),
      );
      assert.ok(dependency, pkg.name);
      const scheme = schemeFor(pkg.ecosystem === 'pypi' ? 'pep440' : 'conda');
      assert.ok(scheme.satisfies(pkg.fixVersion, dependency.spec), `${pkg.name} ${dependency.spec}`);
      for (const locked of pkg.currentVersions) assert.equal(scheme.satisfies(locked, dependency.spec), false);
    }
    console.log(plan.files[0].diff);
  });
});
