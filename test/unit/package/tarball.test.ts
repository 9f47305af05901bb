/**
 * The npm package as users install it: packed, installed into an empty project, run with Node 24
 * (and Node 22 when CVEBUILD_TEST_NODE22 names one; .ci/run installs it), and its output identical
 * to the checkout's.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { type InstalledPackage, packAndInstall } from '../../helpers/package-install.ts';
import { projectRoot } from '../../helpers/paths.ts';

const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const LITELLM = ['gate', 'examples/litellm-compromise', '--db', 'examples/litellm-compromise/intel'];
const NOW = ['--now', '2026-11-22T12:00:00Z'];

function run(node: string, installed: InstalledPackage, args: string[]) {
  return spawnSync(node, [installed.bin, ...args], { cwd: projectRoot, encoding: 'utf8' });
}

describe('the npm package', { timeout: 300_000 }, () => {
  const installed = packAndInstall();

  it('holds compiled JavaScript, its data and its types: no TypeScript sources, no tests', () => {
    const { files } = installed;
    assert.ok(files.includes('bin/cvebuild.js'));
    assert.ok(files.includes('dist/cli/main.mjs'));
    assert.ok(files.includes('dist/index.mjs') && files.includes('dist/index.d.ts'));
    assert.ok(files.includes('data/conda-native.json'));
    assert.deepEqual(
      files.filter((file) => /\.ts$/.test(file) && !file.endsWith('.d.ts')),
      [],
    );
    assert.deepEqual(
      files.filter((file) => /^(src|test|bench|examples)\//.test(file)),
      [],
    );
  });

  it('brings no Node runtime into the project that installs it', () => {
    assert.equal(manifest.dependencies.node, undefined);
    assert.equal(existsSync(join(installed.project, 'node_modules', 'node')), false);
    assert.equal(existsSync(join(installed.project, 'node_modules', 'cvebuild', 'src')), false);
  });

  const nodes: [string, string | undefined][] = [
    ['Node 24', process.execPath],
    ['Node 22', process.env.CVEBUILD_TEST_NODE22],
  ];
  for (const [label, node] of nodes) {
    describe(`runs on ${label}`, { skip: !node && 'set CVEBUILD_TEST_NODE22 to a Node 22 binary' }, () => {
      it('--version', () => {
        const result = run(node as string, installed, ['--version']);
        assert.equal(result.stderr, '');
        assert.equal(result.stdout, `${manifest.version}\n`);
        assert.equal(result.status, 0);
      });

      it('gates the litellm example: exit 1, and the same report the checkout prints', () => {
        const result = run(node as string, installed, [...LITELLM, ...NOW]);
        assert.equal(result.stderr, '');
        assert.equal(result.status, 1);
        assert.match(
          result.stdout,
          /^ {2}litellm 1\.82\.7: malicious release \(MAL-2026-2144\) on linux-64; remove it$/m,
        );
        const checkout = runCli([...LITELLM, ...NOW], { cwd: projectRoot });
        assert.equal(result.stdout, checkout.stdout);
      });

      it("runs the README's library example against the installed package: what the gate prints, progress on stderr", () => {
        const script = join(installed.project, 'audit.ts');
        copyFileSync(join(projectRoot, 'examples/library/audit.ts'), script);
        // Node 22 calls node:sqlite experimental and warns once per process; that warning is Node's to
        // give, so a library leaves it alone (the CLI drops it): the example silences it as a user would
        const flags = label === 'Node 22' ? ['--disable-warning=ExperimentalWarning'] : [];
        const example = spawnSync(node as string, [...flags, script], { cwd: projectRoot, encoding: 'utf8' });
        const cli = runCli([...LITELLM, '--offline'], { cwd: projectRoot });
        assert.equal(cli.status, 1, cli.stderr);
        assert.equal(example.status, 1, example.stderr);
        assert.equal(example.stdout, cli.stdout);
        assert.equal(
          example.stderr,
          [
            'malicious: ok',
            'lock-integrity: ok',
            'confusion: ok',
            'cooldown: ok (offline: no network lookups)',
            'link-scripts: skipped (nothing to inspect: no package-dirs archives and no installed prefix)',
            'artifact-files: skipped (nothing to inspect: no package-dirs archives and no installed prefix)',
            'vendored-libs: skipped (nothing to inspect: no package-dirs archives and no installed prefix)',
            'sources: ok',
            'attestation: ok (offline: no network lookups)',
            'sast: ok',
            'secrets: ok',
            '',
          ].join('\n'),
        );
      });

      it('prints what the checkout prints for every command family (every lazily loaded module is in the package)', () => {
        // one store, imported once: data loaded per run would carry each run's own load time
        const store = join(installed.project, `intel-${label.replace(' ', '')}.sqlite`);
        const imported = runCli(
          ['db', 'import', '--db', store, 'examples/litellm-compromise/intel', 'examples/openssl-cve/intel'],
          { cwd: projectRoot },
        );
        assert.equal(imported.status, 0, imported.stderr);
        const gate = (project: string, ...more: string[]) => ['gate', project, '--db', store, ...NOW, ...more];
        const runs = [
          ['inventory', 'examples/ml-service', '--format', 'json'],
          ['sbom', 'examples/ml-service', ...NOW],
          ['sbom', 'examples/ml-service', '--format', 'spdx', ...NOW],
          ...['json', 'sarif', 'markdown', 'html', 'cyclonedx'].map((format) =>
            gate('examples/litellm-compromise', '--format', format),
          ),
          gate('examples/openssl-cve'),
          ['scan-code', 'examples/code-scan', ...NOW],
          ['diff', 'examples/ml-service', 'examples/litellm-compromise', '--checks', 'none'],
          ['verify', 'examples/ml-service/pixi.lock', '--key', 'examples/ml-service/pixi.toml'],
          ['db', 'status', '--db', store, '--format', 'json'],
          ['db', 'update', '--help'],
        ];
        for (const args of runs) {
          const result = run(node as string, installed, args);
          const checkout = runCli(args, { cwd: projectRoot });
          assert.equal(result.stdout, checkout.stdout, args.join(' '));
          assert.equal(result.stderr, checkout.stderr, args.join(' '));
          assert.equal(result.status, checkout.status, args.join(' '));
        }
      });

      it('fails with one line and exit 2 on bad input', () => {
        const result = run(node as string, installed, ['gate', 'no/such/dir']);
        assert.equal(result.status, 2);
        assert.equal(result.stderr.trim().split('\n').length, 1);
        assert.match(result.stderr, /^cvebuild: /);
      });
    });
  }
});
