/**
 * Backports end to end: a libzlib-like build whose recipe patches CVE-2018-25032 is reported fixed
 * in this build and passes the gate; the same build without the patch fails it. The recipe is read
 * from archives given as input, from `--packages` directories, and from an installed prefix.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { fixture } from '../../helpers/paths.ts';
import { tempDirectory, writeTemp } from '../../helpers/temp.ts';
import { condaBytes, type TarItem } from '../artifacts/archive-builder.ts';
import { condaBuildItems, rattlerBuildItems, ZLIB } from '../artifacts/backport-fixtures.ts';

const intel = fixture('backports/intel');
const RUN = ['--db', intel, '--now', '2026-11-22T12:00:00Z', '--offline', '--checks', 'vulnerability'];
const PATCHED = fixture('archives/libzlib-1.2.11-hbp_patched_0.tar.bz2');
const PLAIN = fixture('archives/libzlib-1.2.11-hbp_plain_0.tar.bz2');

interface JsonFinding {
  id: string;
  blocking: boolean;
  kev: boolean;
  fixedInBuild: { source: string; patches: { id: string; how: string; patch: string; line: string }[] } | null;
}

function gate(path: string, ...extra: string[]) {
  const result = runCli(['gate', path, ...RUN, '--format', 'json', ...extra]);
  assert.notEqual(result.status, 2, result.stderr);
  const document = JSON.parse(result.stdout);
  const byId = new Map<string, JsonFinding>(document.findings.map((f: JsonFinding) => [f.id, f]));
  return { status: result.status, document, byId };
}

describe('backports: a CVE the build patches does not block', () => {
  it('a .tar.bz2 whose recipe applies patches/CVE-2018-25032.patch passes, and says why', () => {
    const { status, document, byId } = gate(PATCHED);
    assert.equal(status, 0);
    const fixed = byId.get('CVE-2018-25032');
    assert.equal(fixed?.blocking, false);
    assert.equal(fixed?.kev, true, 'a KEV entry does not outweigh the fix');
    assert.deepEqual(
      fixed?.fixedInBuild?.patches.map(({ patch, how }) => [patch, how]),
      [['info/recipe/patches/CVE-2018-25032.patch', 'file-name']],
    );
    assert.equal(fixed?.fixedInBuild?.source, PATCHED);
    assert.equal(document.summary.fixedInBuild, 2);
    assert.equal(document.summary.verdict, 'pass');
  });

  it('the same build without the patch fails on it', () => {
    const { status, document, byId } = gate(PLAIN);
    assert.equal(status, 1);
    assert.equal(byId.get('CVE-2018-25032')?.fixedInBuild, null);
    assert.equal(byId.get('CVE-2018-25032')?.blocking, true);
    assert.deepEqual(document.summary.reasons, ['known exploited (KEV): libzlib 1.2.11 (linux-64) CVE-2018-25032']);
    // its other patch still fixes CVE-2022-37434, named in that patch's header
    assert.equal(byId.get('CVE-2022-37434')?.fixedInBuild?.patches[0]?.how, 'patch-header');
  });

  it('a rattler-build .conda, and every report format says fixed in this build', () => {
    const stem = 'libzlib-1.2.11-hbp_0';
    const path = writeTemp(`${stem}.conda`, condaBytes({ stem, ...rattlerBuildItems('hbp_0') }));
    assert.equal(gate(path).status, 0);
    const table = runCli(['gate', path, ...RUN]).stdout;
    assert.match(table, /^fixed in this build \(2\)/m);
    assert.match(table, /^HIGH\s+libzlib 1\.2\.11\s+CVE-2018-25032\s+patches\/CVE-2018-25032\.patch \(file-name\)$/m);
    assert.match(
      runCli(['gate', path, ...RUN, '--format', 'markdown']).stdout,
      /<summary>Fixed in this build \(2\)<\/summary>/,
    );
    const sarif = JSON.parse(runCli(['gate', path, ...RUN, '--format', 'sarif']).stdout);
    const result = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'CVE-2018-25032');
    assert.equal(result.level, 'note');
    assert.equal(result.suppressions[0].status, 'accepted');
    assert.match(result.suppressions[0].justification, /CVE-2018-25032\.patch/);
    const bom = JSON.parse(runCli(['gate', path, ...RUN, '--format', 'cyclonedx']).stdout);
    const vulnerability = bom.vulnerabilities.find((v: { id: string }) => v.id === 'CVE-2018-25032');
    assert.equal(vulnerability.analysis.state, 'resolved');
    assert.match(vulnerability.analysis.detail, /info\/recipe\/patches\/CVE-2018-25032\.patch/);
    assert.equal(vulnerability.affects[0].versions[0].status, 'unaffected');
    assert.match(runCli(['gate', path, ...RUN, '--format', 'html']).stdout, /class="tag tag-fixed">fixed in build</);
  });

  it('reads the archive of a locked package from --packages', () => {
    const dir = tempDirectory();
    const channel = join(dir, 'channel', 'linux-64');
    mkdirSync(channel, { recursive: true });
    copyFileSync(PATCHED, join(channel, 'libzlib-1.2.11-hbp_patched_0.tar.bz2'));
    const lock = join(dir, 'explicit.txt');
    writeFileSync(
      lock,
      '@EXPLICIT\nhttps://conda.anaconda.org/conda-forge/linux-64/libzlib-1.2.11-hbp_patched_0.tar.bz2\n',
    );
    assert.equal(gate(lock).status, 1, 'without the archive, nothing shows the fix');
    const { status, byId } = gate(lock, '--packages', join(dir, 'channel'));
    assert.equal(status, 0);
    assert.equal(byId.get('CVE-2018-25032')?.fixedInBuild?.patches[0]?.how, 'file-name');
  });
});

describe('backports in an installed prefix', () => {
  /** A prefix with libzlib installed; its extracted package in `pkgs/` when `extracted` is set. */
  function prefix(layout: 'record' | 'envs', items: { info: TarItem[] } | undefined): string {
    const root = tempDirectory();
    const dist = `${ZLIB.name}-${ZLIB.version}-hbp_0`;
    const pkgs = join(root, 'pkgs', dist);
    const env = layout === 'envs' ? join(root, 'envs', 'app') : join(root, 'env');
    for (const item of items?.info ?? []) {
      mkdirSync(dirname(join(pkgs, item.name)), { recursive: true });
      writeFileSync(join(pkgs, item.name), item.data ?? '');
    }
    mkdirSync(join(env, 'conda-meta'), { recursive: true });
    writeFileSync(
      join(env, 'conda-meta', `${dist}.json`),
      JSON.stringify({
        ...ZLIB,
        build: 'hbp_0',
        build_number: 0,
        channel: 'https://conda.anaconda.org/conda-forge/linux-64',
        depends: [],
        files: ['lib/libz.so.1.2.11'],
        fn: `${dist}.conda`,
        ...(layout === 'record' ? { extracted_package_dir: pkgs } : {}),
      }),
    );
    return env;
  }

  for (const layout of ['record', 'envs'] as const) {
    it(`reads pkgs/<dist>/info/recipe (${layout === 'record' ? 'extracted_package_dir' : 'envs/<name> of an installation'})`, () => {
      assert.equal(gate(prefix(layout, condaBuildItems('hbp_0'))).status, 0);
      assert.equal(gate(prefix(layout, condaBuildItems('hbp_0', { withFix: false }))).status, 1);
      assert.equal(gate(prefix(layout, undefined)).status, 1, 'no extracted package: no evidence');
    });
  }
});
