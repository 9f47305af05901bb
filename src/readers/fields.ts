/**
 * Typed access to untrusted parsed documents (YAML, TOML, JSON). Each accessor either returns
 * a value of the expected type or throws a `CvebuildError` naming the file, line and key path.
 */
import { CvebuildError, type ErrorCode } from '../errors.ts';

export type Dict = Record<string, unknown>;

export interface FieldContext {
  readonly file: string;
  readonly code: ErrorCode;
  /** Key path of the object being read (`packages[3]`). */
  readonly path: string;
  readonly line?: number;
}

/**
 * A context one key deeper. Readers create one per record and selector (tens of thousands for a
 * large lock) but need the path text only for an error, so it is built on demand.
 */
class ChildContext implements FieldContext {
  readonly file: string;
  readonly code: ErrorCode;
  readonly line?: number;
  private readonly parent: FieldContext;
  private readonly key: string | number;

  constructor(parent: FieldContext, key: string | number, line: number | undefined) {
    this.file = parent.file;
    this.code = parent.code;
    this.line = line ?? parent.line;
    this.parent = parent;
    this.key = key;
  }

  get path(): string {
    return joinPath(this.parent.path, this.key);
  }
}

export function isDict(value: unknown): value is Dict {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

export function fail(ctx: FieldContext, key: string | undefined, message: string): never {
  const path = key === undefined ? ctx.path : joinPath(ctx.path, key);
  throw new CvebuildError(ctx.code, message, { file: ctx.file, line: ctx.line, key: path || undefined });
}

export function joinPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function child(ctx: FieldContext, key: string | number, line?: number): FieldContext {
  return new ChildContext(ctx, key, line);
}

/** The same place, at another line. */
export function atLine(ctx: FieldContext, line: number | undefined): FieldContext {
  return { file: ctx.file, code: ctx.code, path: ctx.path, line: line ?? ctx.line };
}

export function expectDict(value: unknown, ctx: FieldContext): Dict {
  if (!isDict(value)) fail(ctx, undefined, `expected a mapping, found ${describeType(value)}`);
  return value;
}

export function expectList(value: unknown, ctx: FieldContext): unknown[] {
  if (!Array.isArray(value)) fail(ctx, undefined, `expected a list, found ${describeType(value)}`);
  return value;
}

/** A scalar that must be text; numbers are accepted and kept as written by the parser. */
export function optString(obj: Dict, key: string, ctx: FieldContext): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(ctx, key, `expected text, found ${describeType(value)}`);
}

export function reqString(obj: Dict, key: string, ctx: FieldContext): string {
  const value = optString(obj, key, ctx);
  if (value === undefined || value === '') fail(ctx, key, 'required field is missing');
  return value;
}

// Module constants, not literals in the functions: a literal makes a new RegExp object on every
// call, and these run for every field of every record.
const INTEGER_TEXT = /^-?\d+$/;

export function optInteger(obj: Dict, key: string, ctx: FieldContext): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'string' && INTEGER_TEXT.test(value) ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
    return fail(ctx, key, `expected an integer, found ${describeType(value)}`);
  }
  return number;
}

export function optBoolean(obj: Dict, key: string, ctx: FieldContext): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') return fail(ctx, key, `expected true or false, found ${describeType(value)}`);
  return value;
}

export function optStringList(obj: Dict, key: string, ctx: FieldContext): string[] | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return fail(ctx, key, `expected a list, found ${describeType(value)}`);
  // Validate in place: lists of strings (nearly all) are returned as parsed, without a copy.
  let copy: string[] | undefined;
  for (let index = 0; index < value.length; index++) {
    const item: unknown = value[index];
    if (typeof item === 'string') continue;
    if (typeof item !== 'number')
      return fail(child(ctx, key), `[${index}]`, `expected text, found ${describeType(item)}`);
    copy ??= [...value];
    copy[index] = String(item);
  }
  return copy ?? (value as string[]);
}

const SHA256 = /^[0-9a-f]{64}$/;
const MD5 = /^[0-9a-f]{32}$/;

export function optHash(obj: Dict, key: 'sha256' | 'md5', ctx: FieldContext): string | undefined {
  const value = optString(obj, key, ctx);
  if (value === undefined) return undefined;
  const pattern = key === 'sha256' ? SHA256 : MD5;
  if (pattern.test(value)) return value;
  const normalized = value.toLowerCase();
  if (!pattern.test(normalized)) {
    fail(ctx, key, `not a ${key} hex digest: ${JSON.stringify(value.slice(0, 80))}`);
  }
  return normalized;
}

/**
 * conda timestamps are written in ms by rattler, in seconds by older tools: like rattler and conda,
 * treat anything past 9999-12-31 in seconds as milliseconds.
 */
export function timestampToMillis(value: number): number {
  return value > 253_402_300_799 ? value : value * 1000;
}
