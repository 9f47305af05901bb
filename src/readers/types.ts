/**
 * The contract every reader fulfils: one input format in, one `ReaderOutput` out.
 * Readers never see each other; `inventory.ts` merges their outputs into one `Inventory`.
 */
import type { Environment, InputFormat, InputSource, InventoryWarning, ManifestSettings } from '../model/inventory.ts';
import type { Package } from '../model/package.ts';

export interface ReaderOutput {
  source: InputSource;
  /**
   * Environments with their platforms and packages. A reader may share one `Package` between its
   * environments (listing all of them); merging across readers happens in the inventory.
   */
  environments: Environment[];
  /**
   * Every distinct package of `environments`, when the reader already knows them (saves the merge
   * a pass over every placement when only one reader produced packages).
   */
  packages?: Package[];
  /** Settings a manifest, environment file or recipe declares (merged into `Inventory.manifest`). */
  manifest?: Partial<ManifestSettings>;
  warnings: InventoryWarning[];
}

export interface Reader {
  format: InputFormat;
  /** Read one file (or, for `conda-meta`, a prefix directory). Throws `CvebuildError` on bad input. */
  read(path: string): ReaderOutput;
}
