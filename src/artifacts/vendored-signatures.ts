/**
 * Native libraries built into a binary, recognised by the version strings their own code embeds
 * (OpenSSL's OPENSSL_VERSION_TEXT, zlib's copyright banners, curl's `libcurl/<version>`, …). A
 * program that links such a library dynamically holds none of these strings: only a copy of the
 * library's code does. Each `product` is a product-map name (data/conda-native.json).
 */
import type { Anchor } from './content-scan.ts';

export interface VendoredHit {
  product: string;
  version: string;
  /** The text that said so, as found. */
  text: string;
}

interface Signature {
  product: string;
  anchor: string;
  /** Matched against the text from the anchor on; group 1 is the version. */
  pattern: RegExp;
}

const SIGNATURES: readonly Signature[] = [
  // "OpenSSL 1.1.1t  7 Feb 2023", "OpenSSL 3.0.7 1 Nov 2022", "OpenSSL 1.0.2k-fips  26 Jan 2017": the date
  // tells the library's banner from a message that merely names a version ("requires OpenSSL 1.1.1 or later")
  {
    product: 'openssl',
    anchor: 'OpenSSL ',
    pattern: /^OpenSSL (\d+\.\d+\.\d+[a-z]{0,2})(?:-[A-Za-z0-9]+)? {1,2}\d{1,2} [A-Z][a-z]{2} \d{4}/,
  },
  { product: 'zlib', anchor: 'deflate ', pattern: /^deflate (\d+\.\d+(?:\.\d+){0,2}) Copyright / },
  { product: 'zlib', anchor: 'inflate ', pattern: /^inflate (\d+\.\d+(?:\.\d+){0,2}) Copyright / },
  { product: 'curl', anchor: 'libcurl/', pattern: /^libcurl\/(\d+\.\d+\.\d+)(?![\d.])/ },
  { product: 'libpng', anchor: 'libpng version ', pattern: /^libpng version (\d+\.\d+\.\d+)(?![\d.])/ },
  { product: 'expat', anchor: 'expat_', pattern: /^expat_(\d+\.\d+\.\d+)(?![\d.])/ },
];

/** The products a signature can name, for checking them against the product map. */
export const SIGNATURE_PRODUCTS: readonly string[] = [...new Set([...SIGNATURES.map((s) => s.product), 'sqlite'])];

/** Bytes after an anchor read as text: longer than any banner above. */
const TEXT_AFTER = 120;

/**
 * Collects what one binary embeds. sqlite's version string is a bare `3.40.0`, which many things
 * could be, so sqlite counts only when its file-format magic and a source id (`2022-11-16 12:10:08
 * <sha3 hex>`) are there too, and exactly one bare 3.x.y string stands alone as a C string.
 */
export class VendoredCollector {
  private readonly found = new Map<string, VendoredHit>();
  private sqliteMagic = false;
  private sqliteSourceId: string | undefined;
  private readonly bareVersions = new Set<string>();

  anchors(): Anchor[] {
    const anchors: Anchor[] = SIGNATURES.map((signature) => ({
      needle: Buffer.from(signature.anchor, 'latin1'),
      hit: (window, at) => {
        if (at > 0 && isWordByte(window[at - 1] ?? 0)) return;
        const match = signature.pattern.exec(window.toString('latin1', at, at + TEXT_AFTER));
        if (match?.[1]) this.add({ product: signature.product, version: match[1], text: match[0] });
      },
    }));
    anchors.push(
      { needle: Buffer.from('SQLite format 3\0', 'latin1'), hit: () => (this.sqliteMagic = true) },
      {
        needle: Buffer.from('\x003.', 'latin1'),
        hit: (window, at) => {
          // a whole C string: NUL before and after
          const rest = window.subarray(at + 1, at + 16);
          const nul = rest.indexOf(0);
          const version = nul === -1 ? '' : rest.toString('latin1', 0, nul);
          if (/^3\.\d{1,2}\.\d{1,2}(\.\d{1,2})?$/.test(version) && this.bareVersions.size < 8) {
            this.bareVersions.add(version);
          }
        },
      },
      {
        // the time in a source id: cheap byte tests before any text is made
        needle: Buffer.from(':', 'latin1'),
        hit: (window, at) => {
          if (this.sqliteSourceId || window[at + 3] !== 0x3a || window[at - 3] !== 0x20) return;
          if (!isDigit(window[at - 1]) || !isDigit(window[at + 1])) return;
          const match = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [0-9a-f]{40,64}(?![0-9a-f])/.exec(
            window.toString('latin1', Math.max(0, at - 13), at + 80),
          );
          if (match) this.sqliteSourceId = match[0];
        },
      },
    );
    return anchors;
  }

  hits(): VendoredHit[] {
    const hits = [...this.found.values()];
    if (this.sqliteMagic && this.sqliteSourceId && this.bareVersions.size === 1) {
      const version = [...this.bareVersions][0] as string;
      hits.push({ product: 'sqlite', version, text: `${version} ${this.sqliteSourceId}` });
    }
    return hits;
  }

  private add(hit: VendoredHit): void {
    const key = `${hit.product}\u0000${hit.version}`;
    if (!this.found.has(key)) this.found.set(key, hit);
  }
}

function isWordByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f
  );
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

/** ELF, Mach-O (thin and fat), PE: the files a library's code can be linked into. */
export function isBinary(head: Buffer): boolean {
  if (head.length < 4) return false;
  const magic = head.readUInt32BE(0);
  return (
    magic === 0x7f454c46 || // \x7fELF
    magic === 0xfeedface ||
    magic === 0xfeedfacf ||
    magic === 0xcefaedfe ||
    magic === 0xcffaedfe ||
    magic === 0xcafebabe ||
    (head[0] === 0x4d && head[1] === 0x5a) // MZ
  );
}
