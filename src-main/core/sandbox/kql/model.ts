/** The KQL engine's model: what goes in and comes out, its limits and its errors (see ../kql.ts). */

/** A cell of an input table. Strings cannot be null in Kusto: a null string reads as ''. */
export type KqlValue = string | number | boolean | Date | null;

/** The column types the engine returns, named as the Kusto query API names them. */
export type KqlColumnType = 'string' | 'long' | 'real' | 'bool' | 'datetime';

/** A result (or input schema) column. */
export interface KqlColumn {
  name: string;
  type: KqlColumnType;
}

/** One result table; datetimes are ISO 8601 strings. */
export interface KqlTable {
  name: 'PrimaryResult';
  columns: KqlColumn[];
  rows: unknown[][];
}

/** The Azure Data Explorer / Log Analytics query-API body. */
export interface KqlResult {
  tables: KqlTable[];
}

/** Knobs for `runKql`. */
export interface KqlOptions {
  /**
   * Declared column types per table. Without one, types are read from the rows — which leaves an
   * empty table with no columns at all, so pass the schema for tables that may be empty.
   */
  schemas?: Record<string, readonly KqlColumn[]>;
  /** The result-row cap; `MAX_RESULT_ROWS` unless given. */
  maxRows?: number;
}

/** Longer queries are refused before parsing, so a request cannot make the parser work hard. */
export const MAX_QUERY_LENGTH = 10_000;
/** Results longer than this are refused (Kusto refuses oversized results too, rather than cut them). */
export const MAX_RESULT_ROWS = 10_000;
// Recursion depth of the parser: 10,000 characters of '(' would otherwise overflow the stack.
export const MAX_NESTING = 64;

/** What kind of refusal a `KqlError` is. */
export type KqlErrorKind = 'syntax' | 'semantic' | 'limit';

/** A refused query; `message` reads like Kusto's and becomes the ProblemDetails `detail`. */
export class KqlError extends Error {
  readonly kind: KqlErrorKind;
  /** For syntax errors: 1-based line, 0-based column (as Log Analytics reports them), token text. */
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly token: string | undefined;

  constructor(kind: KqlErrorKind, message: string, position?: { line: number; column: number; token: string }) {
    super(message);
    this.name = 'KqlError';
    this.kind = kind;
    this.line = position?.line;
    this.column = position?.column;
    this.token = position?.token;
  }
}

/** The vendor's answer to a refused query: an ASP.NET Core ProblemDetails 400. */
export function kqlProblem(error: KqlError, traceId: string): { type: string; title: 'Bad Request'; status: 400; detail: string; traceId: string } {
  return { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'Bad Request', status: 400, detail: error.message, traceId };
}

// Internal values: datetimes and timespans are milliseconds, typed by the compiler.
export type Value = string | number | boolean | null;
export type Row = Value[];
export type ScalarType = KqlColumnType | 'timespan';
