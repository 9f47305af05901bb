import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readInventory } from '../../../src/engine/read-project.ts';
import type { Package } from '../../../src/model/package.ts';
import { dependencyGraph } from '../../../src/report/dependency-graph.ts';
import { projectRoot } from '../../helpers/paths.ts';
import { condaPackage, inventoryOf, pypiPackage } from './sbom-fixtures.ts';

const label = (pkg: Package) => `${pkg.name}@${pkg.version}/${pkg.platform}`;
const edgesOf = (graph: ReturnType<typeof dependencyGraph>, pkg: Package) =>
  (graph.dependsOn.get(pkg) ?? []).map(label);

describe('dependencyGraph', () => {
  it('resolves the example lock: requests to its four requirements, python to its libraries', () => {
    const inventory = readInventory(`${projectRoot}examples/ml-service`);
    const graph = dependencyGraph(inventory);
    const find = (name: string) => inventory.packages.find((pkg) => pkg.name === name) as Package;
    assert.deepEqual(edgesOf(graph, find('requests')), [
      'certifi@2024.7.4/linux-64',
      'charset-normalizer@3.3.2/linux-64',
      'idna@3.8/linux-64',
      'urllib3@2.2.2/linux-64',
    ]);
    const python = edgesOf(graph, find('python'));
    for (const name of ['bzip2', 'libffi', 'openssl', 'tzdata', 'xz']) {
      assert.ok(
        python.some((edge) => edge.startsWith(`${name}@`)),
        name,
      );
    }
    assert.equal(graph.dependsOn.size, inventory.packages.length);
    // pixi.toml declares python and requests; both hang off the project
    assert.ok(graph.direct.includes(find('python')));
    assert.ok(graph.direct.includes(find('requests')));
    assert.ok(!graph.direct.includes(find('openssl')), 'openssl is reached through python');
  });

  it('resolves a requirement inside each environment and platform that holds the package', () => {
    const lib = (version: string, env: string) => condaPackage('libfoo', version, { environments: [env] });
    const old = lib('1.0', 'legacy');
    const current = lib('2.0', 'default');
    const app = condaPackage('app', '1.0', {
      depends: ['libfoo >=1', '__glibc >=2.17'],
      environments: ['default', 'legacy'],
    });
    const onMac = condaPackage('libfoo', '2.0', { platform: 'osx-arm64', subdir: 'osx-arm64' });
    const graph = dependencyGraph(inventoryOf([app, old, current, onMac]));
    assert.deepEqual(edgesOf(graph, app), ['libfoo@1.0/linux-64', 'libfoo@2.0/linux-64']);
    assert.deepEqual(edgesOf(graph, current), []);
  });

  it('gives a noarch package placed on two platforms the edges of each platform', () => {
    const noarch = (platform: string) =>
      condaPackage('six', '1.16.0', { subdir: 'noarch', noarch: 'python', platform, depends: ['python >=3.8'] });
    const python = (platform: string) => condaPackage('python', '3.12.0', { platform, subdir: platform });
    const [sixLinux, sixMac] = [noarch('linux-64'), noarch('osx-arm64')];
    const graph = dependencyGraph(inventoryOf([sixLinux, sixMac, python('linux-64'), python('osx-arm64')]));
    assert.deepEqual(edgesOf(graph, sixLinux), ['python@3.12.0/linux-64']);
    assert.deepEqual(edgesOf(graph, sixMac), ['python@3.12.0/osx-arm64']);
  });

  it('follows PyPI requirements to PyPI packages, else to conda packages that provide the name', () => {
    const numpy = condaPackage('numpy', '2.1.0', { purls: ['pkg:pypi/numpy?source=hash-mapping'] });
    const pysocks = pypiPackage('PySocks', '1.7.1');
    const requests = pypiPackage('requests', '2.32.3', {
      requiresDist: [
        'numpy>=1.20',
        "pysocks>=1.5.6,!=1.5.7 ; extra == 'socks'",
        "colorama ; sys_platform == 'win32'",
        'not a requirement ((',
      ],
    });
    const graph = dependencyGraph(inventoryOf([numpy, pysocks, requests]));
    assert.deepEqual(edgesOf(graph, requests), ['numpy@2.1.0/linux-64']);
    // pysocks is only asked for by an extra: it still hangs off the project
    assert.ok(graph.direct.includes(pysocks));
  });

  it('keeps packages that only a cycle reaches reachable from the project', () => {
    const a = condaPackage('a', '1', { depends: ['b'] });
    const b = condaPackage('b', '1', { depends: ['a'] });
    const graph = dependencyGraph(inventoryOf([a, b]));
    assert.deepEqual(edgesOf(graph, a), ['b@1/linux-64']);
    assert.deepEqual(edgesOf(graph, b), ['a@1/linux-64']);
    assert.deepEqual(graph.direct.map(label), ['a@1/linux-64']);
  });
});
