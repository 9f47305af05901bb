/**
 * A lock file's package list parsed in pieces. js-yaml 5 first turns the whole text into one array
 * of events and only then builds the document, so on a multi-megabyte lock every event lives long
 * enough to be copied by the garbage collector (about a third of the parse). Parsing the top-level
 * list a few dozen entries at a time lets those events die young: the ros2-nav2 lock (2.8 MB)
 * parses in ~195 ms instead of ~280.
 *
 * Pieces are only cut where that cannot change the document: at column-0 `- ` lines after the only
 * top-level `packages:` key (pixi writes its list so), in a text with no document markers. Other
 * layouts (conda-lock indents its `package:` list and puts a key after it) are parsed whole.
 * A column-0 line ends every block scalar and nested collection, and a quoted scalar or flow
 * collection still open at a cut makes its piece fail. Whenever a piece fails, or holds anything but
 * list entries, this returns undefined and the caller parses the whole text as before: errors and
 * their line numbers are always the whole-text parser's.
 */
import type { LoadOptions } from 'js-yaml';
import { jsYaml } from './js-yaml.ts';

/** Below this size the whole text parses about as fast. */
export const CHUNKED_MIN_BYTES = 256 * 1024;

/** About this much text per piece: small enough that its events die young, large enough to amortise a parse. */
const PIECE_BYTES = 32 * 1024;

const LIST_KEY = /^(packages):[ \t]*\r?$/gm;
/** `---` and `...` start and end documents: a cut next to one could join two documents into one. */
const DOCUMENT_MARKER = /^(?:---|\.\.\.)(?:[ \t\r]|$)/m;

export interface ChunkOptions {
  /** Parse in pieces from this length on (default CHUNKED_MIN_BYTES; tests lower it). */
  minBytes?: number;
  /** Text per piece (default PIECE_BYTES; tests lower it to cut between every few entries). */
  pieceBytes?: number;
}

/** The whole document, or undefined when the text is not one to parse in pieces. */
export function loadLockInPieces(text: string, options: LoadOptions, chunking: ChunkOptions = {}): unknown {
  if (text.length < (chunking.minBytes ?? CHUNKED_MIN_BYTES)) return undefined;
  const keys = [...text.matchAll(LIST_KEY)];
  const key = keys[0];
  if (keys.length !== 1 || key === undefined || DOCUMENT_MARKER.test(text)) return undefined;
  const listKey = key[1] as string;
  const listStart = key.index + key[0].length + 1;
  const pieceBytes = chunking.pieceBytes ?? PIECE_BYTES;
  try {
    const { load } = jsYaml();
    const head = load(text.slice(0, listStart), options);
    if (!isDocumentWithEmptyList(head, listKey)) return undefined;
    const entries: unknown[] = [];
    for (let at = listStart; at < text.length; ) {
      const cut = text.indexOf('\n- ', at + pieceBytes);
      const end = cut === -1 ? text.length : cut + 1;
      const piece = load(`${listKey}:\n${text.slice(at, end)}`, options);
      const list = onlyList(piece, listKey);
      if (!list) return undefined;
      for (const entry of list) entries.push(entry);
      at = end;
    }
    head[listKey] = entries;
    return head;
  } catch {
    return undefined;
  }
}

/** The head ends with the list's key, so the list itself is still empty (null). */
function isDocumentWithEmptyList(document: unknown, listKey: string): document is Record<string, unknown> {
  return typeof document === 'object' && document !== null && (document as Record<string, unknown>)[listKey] === null;
}

/** A piece holds list entries and nothing else: a key after the list would make it a second key here. */
function onlyList(document: unknown, listKey: string): unknown[] | undefined {
  if (typeof document !== 'object' || document === null) return undefined;
  const keys = Object.keys(document);
  const list = (document as Record<string, unknown>)[listKey];
  return keys.length === 1 && keys[0] === listKey && Array.isArray(list) ? list : undefined;
}
