/** Recipe rules: matched line by line over recipes and their build scripts (src/sast/recipe.ts). */
import type { SastRuleInfo } from './types.ts';

const SUPPLY = 'A08:2021-Software and Data Integrity Failures';

export const RECIPE_RULES: readonly SastRuleInfo[] = [
  {
    id: 'recipe-pipe-to-shell',
    title: 'Download piped into an interpreter',
    message: 'Downloaded script runs unverified (curl/wget piped into a shell or interpreter).',
    remedy:
      'Download to a file, verify its sha256 against a pinned value, then run it; better, make it a recipe source.',
    help: 'Piping a download straight into sh/bash/python runs whatever the server (or anyone on the path) sends at build time, with no record of what ran. Fetch it as a recipe source with a sha256, or download, verify and then execute.',
    cwe: 'CWE-494',
    owasp: SUPPLY,
    severity: 'high',
    confidence: 'high',
    language: 'recipe',
  },
  {
    id: 'recipe-source-no-checksum',
    title: 'Recipe source without a checksum',
    message: 'Recipe source downloads a url without a sha256: the archive is not verified.',
    remedy: 'Add sha256: <hash of the archive> to the source entry.',
    help: 'Without a checksum the build uses whatever the URL serves at build time, so a compromised or changed upstream goes unnoticed. A sha256 in the recipe pins the exact archive.',
    cwe: 'CWE-494',
    owasp: SUPPLY,
    severity: 'high',
    confidence: 'high',
    language: 'recipe',
  },
  {
    id: 'recipe-source-weak-checksum',
    title: 'Recipe source verified with md5/sha1 only',
    message: 'Recipe source is verified with md5/sha1 only: collisions are practical, use sha256.',
    remedy: 'Replace md5:/sha1: with sha256: <hash of the archive>.',
    help: 'MD5 and SHA-1 have practical collision attacks, so a prepared archive can match the recorded hash. sha256 pins the archive reliably.',
    cwe: 'CWE-328',
    owasp: SUPPLY,
    severity: 'low',
    confidence: 'high',
    language: 'recipe',
  },
  {
    id: 'recipe-script-download-unverified',
    title: 'Build script downloads without verifying',
    message: 'Build script downloads a file and never checks a checksum (sha256sum, shasum -a 256, openssl dgst).',
    remedy:
      'Make the file a recipe source with sha256, or check it with `echo "<sha256>  file" | sha256sum -c` before use.',
    help: 'A file fetched during the build is whatever the server sends at that moment. Declare it as a recipe source with a sha256, or verify it in the script before using it.',
    cwe: 'CWE-494',
    owasp: SUPPLY,
    severity: 'medium',
    confidence: 'medium',
    language: 'recipe',
  },
];
