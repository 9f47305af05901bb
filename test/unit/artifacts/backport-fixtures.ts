/**
 * A libzlib-like package whose recipe backports CVE fixes, as the entries of real archives: the
 * conda-build layout (rendered `meta.yaml` + `meta.yaml.template`) and the rattler-build one
 * (`rendered_recipe.yaml` + `recipe.yaml`). Written by hand for these tests; every CVE id that must
 * not count is placed where a careless reader would count it.
 */
import type { TarItem } from './archive-builder.ts';

export const ZLIB = { name: 'libzlib', version: '1.2.11', subdir: 'linux-64' };

/** Counted: named by a file name, a patch header, and a comment on an applied patch. */
export const COUNTED = ['CVE-2018-25032', 'CVE-2022-37434', 'CVE-2016-9842'] as const;
/** Not counted: a Windows-only patch, after a diff hunk, in a test, in the payload, in a comment on no patch. */
export const NOT_COUNTED = ['CVE-2016-9840', 'CVE-2016-9841', 'CVE-2023-45853', 'CVE-2016-9843', 'CVE-2017-0001'];

const index = (build: string) =>
  JSON.stringify({ ...ZLIB, build, build_number: 0, depends: ['libgcc-ng >=12'], license: 'Zlib' });

const FILE_NAME_PATCH = `From 5c44459c3b28a9bd3283aaceab7c615f8020c531 Mon Sep 17 00:00:00 2001
From: Mark Adler <madler@example.invalid>
Subject: [PATCH] Fix a bug that can crash deflate on some input when using Z_FIXED.

---
 deflate.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/deflate.c b/deflate.c
--- a/deflate.c
+++ b/deflate.c
@@ -1,3 +1,3 @@
-    s->pending_buf = (uchf *) overlay;
+    s->pending_buf = (uchf *) ZALLOC(strm, s->lit_bufsize, 4);
`;

const HEADER_PATCH = `From eff308af425b67093bab25f80f1ae950166bece1 Mon Sep 17 00:00:00 2001
Subject: [PATCH] Fix a bug when getting a gzip header extra field with inflate().

Backport of the upstream fix for CVE-2022-37434 (heap buffer over-read).
---
 inflate.c | 5 +++--

diff --git a/inflate.c b/inflate.c
--- a/inflate.c
+++ b/inflate.c
@@ -1,3 +1,3 @@
-                if (state->head != Z_NULL &&
+                if (state->head != Z_NULL && len < state->head->extra_max &&
 /* CVE-2016-9841: this line is code, after the first hunk, and says nothing about the patch */
`;

const COMMENTED_PATCH = `Tidy inffast.c pointer arithmetic.
--- a/inffast.c
+++ b/inffast.c
@@ -1 +1 @@
-x
+y
`;

const WINDOWS_PATCH = `Subject: Fix CVE-2016-9840 on MSVC only
--- a/inftrees.c
+++ b/inftrees.c
@@ -1 +1 @@
-a
+b
`;

/** The recipe's patch files, by path below info/recipe. */
function patchFiles(withFix: boolean): TarItem[] {
  return [
    ...(withFix ? [{ name: 'info/recipe/patches/CVE-2018-25032.patch', data: FILE_NAME_PATCH }] : []),
    { name: 'info/recipe/patches/0002-inflate-extra.patch', data: HEADER_PATCH },
    { name: 'info/recipe/patches/0003-inffast.patch', data: COMMENTED_PATCH },
    { name: 'info/recipe/patches/0004-msvc.patch', data: WINDOWS_PATCH },
  ];
}

const applied = (withFix: boolean) => [
  ...(withFix ? ['patches/CVE-2018-25032.patch'] : []),
  'patches/0002-inflate-extra.patch',
  './patches/0003-inffast.patch',
];

/** The rest of a package: a test and a changelog naming CVEs, which are not evidence. */
const PAYLOAD: TarItem[] = [
  { name: 'lib/libz.so.1.2.11', data: 'ELF' },
  { name: 'share/doc/zlib/ChangeLog', data: 'Changes in 1.2.11.1: fix CVE-2016-9843 (crc32 big-endian)\n' },
];
const TEST: TarItem = {
  name: 'info/test/run_test.sh',
  data: '# minizip is not shipped: CVE-2023-45853 does not apply\n',
};

/** conda-build: the rendered meta.yaml lists what was applied; the template keeps the comments. */
export function condaBuildItems(build: string, { withFix = true } = {}): { info: TarItem[]; pkg: TarItem[] } {
  const rendered = `# This file created by conda-build 24.9.0
# ------------------------------------------------

package:
    name: libzlib
    version: 1.2.11
source:
    patches:
${applied(withFix)
  .map((patch) => `        - ${patch}\n`)
  .join('')}    sha256: c3e5e9fdd5004dcb542feda5ee4f0ff0744628baf8ed2dd5d66f8ca1197cb1a1
    url: https://zlib.net/zlib-1.2.11.tar.gz
build:
    number: '0'
    string: ${build}
test:
    commands:
        - test -f \${PREFIX}/lib/libz.so  # CVE-2017-0001 is named by no patch entry
about:
    summary: Massively spiffy yet delicately unobtrusive compression library
`;
  const template = `{% set version = "1.2.11" %}
package:
  name: libzlib
  version: {{ version }}
source:
  url: https://zlib.net/zlib-{{ version }}.tar.gz
  sha256: c3e5e9fdd5004dcb542feda5ee4f0ff0744628baf8ed2dd5d66f8ca1197cb1a1
  patches:
${withFix ? '    - patches/CVE-2018-25032.patch\n' : ''}    - patches/0002-inflate-extra.patch
    # backport of the fix for CVE-2016-9842 (undefined left shift)
    - ./patches/0003-inffast.patch
    - patches/0004-msvc.patch  # [win]  CVE-2016-9840
build:
  number: 0
  # CVE-2017-0001: a comment on no patch
`;
  return {
    info: [
      { name: 'info/index.json', data: index(build) },
      { name: 'info/recipe/meta.yaml', data: rendered },
      { name: 'info/recipe/meta.yaml.template', data: template },
      { name: 'info/recipe/build.sh', data: './configure --prefix=$PREFIX && make install\n' },
      ...patchFiles(withFix),
      TEST,
    ],
    pkg: PAYLOAD,
  };
}

/** rattler-build: rendered_recipe.yaml's recipe section lists what was applied; recipe.yaml keeps the comments. */
export function rattlerBuildItems(build: string, { withFix = true } = {}): { info: TarItem[]; pkg: TarItem[] } {
  const rendered = `recipe:
  schema_version: 1
  context:
    version: 1.2.11
  package:
    name: libzlib
    version: 1.2.11
  source:
  - url: https://zlib.net/zlib-1.2.11.tar.gz
    sha256: c3e5e9fdd5004dcb542feda5ee4f0ff0744628baf8ed2dd5d66f8ca1197cb1a1
    patches:
${applied(withFix)
  .map((patch) => `    - ${patch}\n`)
  .join('')}  build:
    number: 0
    string: ${build}
build_configuration:
  target_platform: linux-64
finalized_sources:
- url: https://zlib.net/zlib-1.2.11.tar.gz
`;
  const recipe = `context:
  version: "1.2.11"
package:
  name: libzlib
  version: \${{ version }}
source:
  url: https://zlib.net/zlib-\${{ version }}.tar.gz
  sha256: c3e5e9fdd5004dcb542feda5ee4f0ff0744628baf8ed2dd5d66f8ca1197cb1a1
  patches:
${withFix ? '    - patches/CVE-2018-25032.patch\n' : ''}    - patches/0002-inflate-extra.patch
    # backport of the fix for CVE-2016-9842 (undefined left shift)
    - ./patches/0003-inffast.patch
    - if: win
      then:
        - patches/0004-msvc.patch  # CVE-2016-9840
`;
  return {
    info: [
      { name: 'info/index.json', data: index(build) },
      { name: 'info/recipe/rendered_recipe.yaml', data: rendered },
      { name: 'info/recipe/recipe.yaml', data: recipe },
      { name: 'info/recipe/variant_config.yaml', data: 'target_platform: linux-64\n' },
      ...patchFiles(withFix),
      TEST,
    ],
    pkg: PAYLOAD,
  };
}
