/**
 * A small KQL (Kusto Query Language) engine for the sandbox's Insights endpoint
 * (`POST /api/{tenantId}/insights/query`). The vendor runs real KQL over a `Logs` table whose schema
 * is not public; the sandbox answers the small subset the product's usage template needs, over its
 * own `Logs` table, and refuses everything else the way Kusto does: a syntax error with the line and
 * column, or a semantic error naming the operator. Pure: no I/O, no clock (the caller passes `now`).
 *
 * Grammar (the whole subset; anything else is a `KqlError`):
 *
 *   query      = table { "|" operator }
 *   operator   = "where" expr
 *              | "summarize" [ named { "," named } ] [ "by" named { "," named } ]
 *              | ( "order" | "sort" ) "by" sortKey { "," sortKey }
 *              | ( "take" | "limit" ) long
 *              | "project" named { "," named }
 *   named      = [ identifier "=" ] expr
 *   sortKey    = expr [ "asc" | "desc" ] [ "nulls" ( "first" | "last" ) ]
 *   expr       = and { "or" and }
 *   and        = comparison { "and" comparison }
 *   comparison = primary [ compareOp primary | stringOp primary | inOp "(" expr { "," expr } ")" ]
 *   compareOp  = "==" | "!=" | "=~" | "!~" | "<" | "<=" | ">" | ">="
 *   stringOp   = [ "!" ] ( "has" | "contains" | "startswith" | "endswith" ) [ "_cs" ]
 *   inOp       = "in" | "!in" | "in~" | "!in~"
 *   primary    = string | [ "-" ] number | [ "-" ] timespan | "datetime(" text ")" | "true" | "false"
 *              | identifier "(" [ expr { "," expr } ] ")" | identifier | "(" expr ")"
 *   timespan   = number ( "d" | "h" | "m" | "s" | "ms" )
 *
 * Functions: ago, now, bin, not, isempty, isnotempty, isnull, isnotnull; in summarize only: count,
 * dcount, max, min.
 */
import { compileStage, datetimeOrNull, isNumeric, semanticError, type Column } from './kql/compile.ts';
import { KqlError, MAX_QUERY_LENGTH, MAX_RESULT_ROWS, type KqlColumn, type KqlColumnType, type KqlOptions, type KqlResult, type KqlValue, type Row, type ScalarType, type Value } from './kql/model.ts';
import { Parser } from './kql/parse.ts';

export { KqlError, kqlProblem, MAX_QUERY_LENGTH, MAX_RESULT_ROWS, type KqlColumn, type KqlColumnType, type KqlErrorKind, type KqlOptions, type KqlResult, type KqlTable, type KqlValue } from './kql/model.ts';

function inferColumns(tableName: string, rows: readonly Record<string, KqlValue>[]): KqlColumn[] {
  const types = new Map<string, KqlColumnType | undefined>();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row)) {
      const type = typeOfValue(value);
      const known = types.get(name);
      if (type === undefined || type === known) {
        if (!types.has(name)) types.set(name, undefined);
      } else if (known === undefined) {
        types.set(name, type);
      } else if (isNumeric(known) && isNumeric(type)) {
        types.set(name, 'real'); // 200 and 0.5 in one column: a real column, as Kusto would type it
      } else {
        throw new TypeError(`Table '${tableName}', column '${name}' mixes ${known} and ${type} values.`);
      }
    }
  }
  // A column that is null everywhere has no type to read; string is Kusto's most forgiving.
  return [...types].map(([name, type]) => ({ name, type: type ?? 'string' }));
}

function typeOfValue(value: KqlValue | undefined): KqlColumnType | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return 'datetime';
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'real';
  return typeof value === 'boolean' ? 'bool' : 'string';
}

// A value of the wrong type is the caller's bug, not the query's: a TypeError, never a KqlError (400).
function loadRow(tableName: string, columns: readonly KqlColumn[], row: Record<string, KqlValue>): Row {
  return columns.map(({ name, type }) => {
    const value = row[name] ?? null;
    if (value === null) return type === 'string' ? '' : null;
    const actual = typeOfValue(value);
    if (actual === type || (actual === 'long' && type === 'real')) return value instanceof Date ? datetimeOrNull(value.getTime()) : value;
    throw new TypeError(`Table '${tableName}', column '${name}' is ${type} but holds a ${actual ?? 'null'} value.`);
  });
}

function serialise(value: Value, type: ScalarType): unknown {
  // Log Analytics writes whole seconds without a fraction (2026-12-01T10:00:00Z).
  return type === 'datetime' && typeof value === 'number' ? new Date(value).toISOString().replace('.000Z', 'Z') : value;
}

/**
 * Runs a query over in-memory tables. Throws `KqlError` for a query Kusto (or the sandbox's subset)
 * would refuse, and `TypeError` when a table holds a value of the wrong type.
 */
export function runKql(query: string, tables: Record<string, readonly Record<string, KqlValue>[]>, now: Date, options: KqlOptions = {}): KqlResult {
  if (query.length > MAX_QUERY_LENGTH) throw new KqlError('limit', `The query is ${query.length} characters long; the limit is ${MAX_QUERY_LENGTH}.`);
  const parsed = new Parser(query).parse();
  const tableName = parsed.table.text;
  const rows = Object.hasOwn(tables, tableName) ? tables[tableName]! : undefined;
  if (rows === undefined) throw semanticError(tableName, `Failed to resolve table or column expression named '${tableName}'`);
  const declared = options.schemas && Object.hasOwn(options.schemas, tableName) ? options.schemas[tableName] : undefined;
  const inputColumns = declared ?? inferColumns(tableName, rows);

  let columns: readonly Column[] = inputColumns;
  const plans = parsed.stages.map((stage) => {
    const plan = compileStage(stage, columns, now.getTime());
    columns = plan.columns;
    return plan;
  });

  let result = rows.map((row) => loadRow(tableName, inputColumns, row));
  for (const plan of plans) result = plan.run(result);

  const maxRows = options.maxRows ?? MAX_RESULT_ROWS;
  if (result.length > maxRows) {
    throw new KqlError('limit', `Query result set has exceeded the internal record count limit ${maxRows} (it has ${result.length} rows); narrow it with where, summarize or take.`);
  }
  return {
    tables: [{
      name: 'PrimaryResult',
      columns: columns.map(({ name, type }) => ({ name, type: type as KqlColumnType })),
      rows: result.map((row) => row.map((value, i) => serialise(value, columns[i]!.type))),
    }],
  };
}

// ---------------------------------------------------------------------------------------------
// The sandbox's Logs table

/**
 * The sandbox's `Logs` table: one row per request it serves. The vendor's schema is not public;
 * these are the sandbox's names, which the product's default usage template and column mapping
 * use (../usage/usage-query.ts).
 */
export const LOGS_SCHEMA: readonly KqlColumn[] = [
  { name: 'timestamp', type: 'datetime' },
  { name: 'keyName', type: 'string' },
  { name: 'method', type: 'string' },
  { name: 'path', type: 'string' },
  { name: 'status', type: 'long' },
  { name: 'remoteAddress', type: 'string' },
  { name: 'userAgent', type: 'string' },
];

/** One row of the sandbox's `Logs` table, as the endpoint hands it to `runKql`. */
export type LogsRow = { timestamp: Date; keyName: string; method: string; path: string; status: number; remoteAddress: string; userAgent: string };
