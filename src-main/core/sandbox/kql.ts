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
const MAX_NESTING = 64;

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

// ---------------------------------------------------------------------------------------------
// Tokens

// Internal values: datetimes and timespans are milliseconds, typed by the compiler.
type Value = string | number | boolean | null;
type Row = Value[];
type ScalarType = KqlColumnType | 'timespan';

type TokenKind = 'identifier' | 'string' | 'long' | 'real' | 'timespan' | 'datetime' | 'symbol' | 'end';
interface Token {
  kind: TokenKind;
  text: string;
  value: Value;
  at: number;
}

const SYMBOLS = ['==', '!=', '=~', '!~', '<=', '>=', '<', '>', '=', '(', ')', ',', '|', '-'];
const TIMESPAN_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
const STRING_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' };
// Kusto's datetime range, 0001-01-01 to 9999-12-31; also keeps `toISOString` from throwing.
const MIN_DATETIME = Date.parse('0001-01-01T00:00:00Z');
const MAX_DATETIME = Date.parse('9999-12-31T23:59:59.999Z');

const IDENTIFIER = /!?[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([A-Za-z]*)/y;
const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

function positionOf(query: string, at: number): { line: number; column: number } {
  const before = query.slice(0, at);
  return { line: before.split('\n').length, column: at - (before.lastIndexOf('\n') + 1) };
}

function syntaxError(query: string, at: number, token: string, note?: string): KqlError {
  const { line, column } = positionOf(query, at);
  const where = `Query could not be parsed at '${token}' on line [${line},${column}]`;
  return new KqlError('syntax', `Syntax error: ${where}${note ? `: ${note}` : ''}`, { line, column, token });
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const char = query[i]!;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (query.startsWith('//', i)) {
      const end = query.indexOf('\n', i);
      i = end === -1 ? query.length : end;
      continue;
    }
    const at = i;
    IDENTIFIER.lastIndex = i;
    const word = IDENTIFIER.exec(query);
    if (word) {
      let text = word[0];
      i += text.length;
      if ((text === 'in' || text === '!in') && query[i] === '~') text += query[i++];
      if (text === 'datetime') {
        const literal = readDatetime(query, at, i);
        tokens.push(literal.token);
        i = literal.end;
      } else {
        tokens.push({ kind: 'identifier', text, value: text, at });
      }
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(query);
    if (number) {
      const [text, digits, unit] = number as unknown as [string, string, string];
      i += text.length;
      if (unit === '') {
        const isLong = /^\d+$/.test(digits);
        tokens.push({ kind: isLong ? 'long' : 'real', text, value: Number(digits), at });
      } else if (Object.hasOwn(TIMESPAN_UNITS, unit)) {
        tokens.push({ kind: 'timespan', text, value: Number(digits) * TIMESPAN_UNITS[unit]!, at });
      } else {
        throw syntaxError(query, at, text, `'${unit}' is not a timespan unit (the sandbox knows d, h, m, s and ms)`);
      }
      continue;
    }
    if (char === "'" || char === '"') {
      const literal = readString(query, at);
      tokens.push({ kind: 'string', text: query.slice(at, literal.end), value: literal.value, at });
      i = literal.end;
      continue;
    }
    const symbol = SYMBOLS.find((candidate) => query.startsWith(candidate, i));
    if (!symbol) throw syntaxError(query, at, char);
    tokens.push({ kind: 'symbol', text: symbol, value: symbol, at });
    i += symbol.length;
  }
  tokens.push({ kind: 'end', text: '<end of query>', value: null, at: query.length });
  return tokens;
}

function readString(query: string, start: number): { value: string; end: number } {
  const quote = query[start];
  let value = '';
  let i = start + 1;
  for (;;) {
    const char = query[i];
    // Kusto's plain string literals end at the line, like C#'s.
    if (char === undefined || char === '\n' || char === '\r') throw syntaxError(query, start, query.slice(start, i), 'the string literal is not closed');
    if (char === quote) return { value, end: i + 1 };
    if (char === '\\') {
      const escaped = STRING_ESCAPES[query[i + 1] ?? ''];
      if (escaped === undefined) throw syntaxError(query, i, query.slice(i, i + 2), 'unknown escape sequence');
      value += escaped;
      i += 2;
      continue;
    }
    value += char;
    i++;
  }
}

// `datetime(...)` holds raw text (2026-12-01T00:00:00Z has no tokens of its own), so it is read here.
function readDatetime(query: string, at: number, afterWord: number): { token: Token; end: number } {
  let open = afterWord;
  while (/\s/.test(query[open] ?? '')) open++;
  const close = query[open] === '(' ? query.indexOf(')', open) : -1;
  if (close === -1) throw syntaxError(query, at, 'datetime', 'expected datetime(yyyy-MM-ddTHH:mm:ssZ)');
  const text = query.slice(at, close + 1);
  const inside = query.slice(open + 1, close).trim().replace(/^(['"])(.*)\1$/, '$2');
  const value = inside === 'null' ? null : parseDatetime(inside);
  if (value === undefined) throw syntaxError(query, at, text, `'${inside}' is not a datetime`);
  return { token: { kind: 'datetime', text, value, at }, end: close + 1 };
}

function parseDatetime(text: string): number | undefined {
  const match = DATETIME_TEXT.exec(text);
  if (!match) return undefined;
  const [, year = '', month = '', day = '', hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match as unknown as (string | undefined)[];
  // Date.parse rolls 2026-02-30 over to March; Kusto refuses it.
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth) return undefined;
  const milliseconds = fraction.padEnd(3, '0').slice(0, 3);
  const value = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${milliseconds}${zone}`);
  return Number.isNaN(value) || value < MIN_DATETIME || value > MAX_DATETIME ? undefined : value;
}

// ---------------------------------------------------------------------------------------------
// Syntax tree and parser

type Expr =
  | { kind: 'literal'; type: ScalarType; value: Value; at: number }
  | { kind: 'column'; name: string; at: number }
  | { kind: 'call'; name: string; args: Expr[]; at: number }
  | { kind: 'binary'; op: string; left: Expr; right: Expr; at: number }
  | { kind: 'in'; op: string; left: Expr; list: Expr[]; at: number };

interface Named {
  name: string | undefined;
  expr: Expr;
}
interface SortKey {
  expr: Expr;
  descending: boolean;
  nullsFirst: boolean;
}
type Stage =
  | { op: 'where'; predicate: Expr }
  | { op: 'summarize'; aggregates: Named[]; by: Named[] }
  | { op: 'order' | 'sort'; keys: SortKey[] }
  | { op: 'take' | 'limit'; count: number }
  | { op: 'project'; items: Named[] };
interface Query {
  table: Token;
  stages: Stage[];
}

const COMPARISONS = new Set(['==', '!=', '=~', '!~', '<', '<=', '>', '>=']);
const STRING_OPERATORS = new Set(
  ['has', 'contains', 'startswith', 'endswith'].flatMap((base) => [base, `${base}_cs`, `!${base}`, `!${base}_cs`]),
);
const IN_OPERATORS = new Set(['in', '!in', 'in~', '!in~']);
const RESERVED = new Set(['and', 'or', 'by', 'asc', 'desc', 'nulls', ...STRING_OPERATORS, ...IN_OPERATORS]);
const OPERATOR_HINT = 'the sandbox supports the operators where, summarize, order by, sort by, take, limit and project';

class Parser {
  private readonly query: string;
  private readonly tokens: Token[];
  private position = 0;
  private depth = 0;

  constructor(query: string) {
    this.query = query;
    this.tokens = tokenize(query);
  }

  parse(): Query {
    const table = this.next();
    if (table.kind !== 'identifier' || RESERVED.has(table.text) || table.text.startsWith('!')) throw this.unexpected(table);
    const stages: Stage[] = [];
    while (this.isSymbol('|')) {
      this.next();
      stages.push(this.parseStage());
    }
    if (this.peek().kind !== 'end') throw this.unexpected(this.peek());
    return { table, stages };
  }

  private parseStage(): Stage {
    const token = this.next();
    switch (token.kind === 'identifier' ? token.text : '') {
      case 'where':
        return { op: 'where', predicate: this.parseExpression() };
      case 'summarize': {
        const aggregates = this.isWord('by') ? [] : this.parseList(() => this.parseNamed());
        let by: Named[] = [];
        if (this.isWord('by')) {
          this.next();
          by = this.parseList(() => this.parseNamed());
        }
        return { op: 'summarize', aggregates, by };
      }
      case 'order':
      case 'sort':
        this.expectWord('by');
        return { op: token.text as 'order' | 'sort', keys: this.parseList(() => this.parseSortKey()) };
      case 'take':
      case 'limit': {
        const count = this.next();
        if (count.kind !== 'long') throw this.unexpected(count);
        return { op: token.text as 'take' | 'limit', count: count.value as number };
      }
      case 'project':
        return { op: 'project', items: this.parseList(() => this.parseNamed()) };
      default:
        throw syntaxError(this.query, token.at, token.text, token.kind === 'identifier' ? OPERATOR_HINT : undefined);
    }
  }

  private parseList<T>(item: () => T): T[] {
    const items = [item()];
    while (this.isSymbol(',')) {
      this.next();
      items.push(item());
    }
    return items;
  }

  private parseNamed(): Named {
    const token = this.peek();
    const following = this.tokens[this.position + 1];
    if (token.kind === 'identifier' && !RESERVED.has(token.text) && following?.kind === 'symbol' && following.text === '=') {
      this.position += 2;
      return { name: token.text, expr: this.parseExpression() };
    }
    return { name: undefined, expr: this.parseExpression() };
  }

  private parseSortKey(): SortKey {
    const expr = this.parseExpression();
    // Kusto sorts descending unless told otherwise, with nulls last when descending and first when ascending.
    let descending = true;
    if (this.isWord('asc') || this.isWord('desc')) descending = this.next().text === 'desc';
    let nullsFirst = !descending;
    if (this.isWord('nulls')) {
      this.next();
      const which = this.next();
      if (which.text !== 'first' && which.text !== 'last') throw this.unexpected(which);
      nullsFirst = which.text === 'first';
    }
    return { expr, descending, nullsFirst };
  }

  private parseExpression(): Expr {
    if (++this.depth > MAX_NESTING) {
      const { line, column } = positionOf(this.query, this.peek().at);
      throw new KqlError('limit', `The query nests expressions deeper than ${MAX_NESTING} levels (at line [${line},${column}]).`);
    }
    const expr = this.parseOr();
    this.depth--;
    return expr;
  }

  private parseOr(): Expr {
    let left = this.parseAnd();
    while (this.isWord('or')) {
      const op = this.next();
      left = { kind: 'binary', op: 'or', left, right: this.parseAnd(), at: op.at };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseComparison();
    while (this.isWord('and')) {
      const op = this.next();
      left = { kind: 'binary', op: 'and', left, right: this.parseComparison(), at: op.at };
    }
    return left;
  }

  private parseComparison(): Expr {
    const left = this.parsePrimary();
    const op = this.peek();
    if ((op.kind === 'symbol' && COMPARISONS.has(op.text)) || (op.kind === 'identifier' && STRING_OPERATORS.has(op.text))) {
      this.next();
      return { kind: 'binary', op: op.text, left, right: this.parsePrimary(), at: op.at };
    }
    if (op.kind === 'identifier' && IN_OPERATORS.has(op.text)) {
      this.next();
      this.expectSymbol('(');
      const list = this.parseList(() => this.parseExpression());
      this.expectSymbol(')');
      return { kind: 'in', op: op.text, left, list, at: op.at };
    }
    return left;
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'string':
      case 'long':
      case 'real':
      case 'timespan':
      case 'datetime':
        return { kind: 'literal', type: token.kind, value: token.value, at: token.at };
      case 'symbol':
        if (token.text === '(') {
          const inner = this.parseExpression();
          this.expectSymbol(')');
          return inner;
        }
        if (token.text === '-') {
          const number = this.next();
          if (number.kind !== 'long' && number.kind !== 'real' && number.kind !== 'timespan') throw this.unexpected(number);
          return { kind: 'literal', type: number.kind, value: -(number.value as number), at: token.at };
        }
        throw this.unexpected(token);
      case 'identifier':
        if (token.text === 'true' || token.text === 'false') return { kind: 'literal', type: 'bool', value: token.text === 'true', at: token.at };
        if (RESERVED.has(token.text) || token.text.startsWith('!')) throw this.unexpected(token);
        if (this.isSymbol('(')) {
          this.next();
          const args = this.isSymbol(')') ? [] : this.parseList(() => this.parseExpression());
          this.expectSymbol(')');
          return { kind: 'call', name: token.text, args, at: token.at };
        }
        return { kind: 'column', name: token.text, at: token.at };
      default:
        throw this.unexpected(token);
    }
  }

  private peek(): Token {
    return this.tokens[this.position]!;
  }

  private next(): Token {
    const token = this.tokens[this.position]!;
    if (token.kind !== 'end') this.position++;
    return token;
  }

  private isSymbol(text: string): boolean {
    const token = this.peek();
    return token.kind === 'symbol' && token.text === text;
  }

  private isWord(text: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.text === text;
  }

  private expectSymbol(text: string): void {
    if (!this.isSymbol(text)) throw this.unexpected(this.peek());
    this.next();
  }

  private expectWord(text: string): void {
    if (!this.isWord(text)) throw this.unexpected(this.peek());
    this.next();
  }

  private unexpected(token: Token): KqlError {
    return syntaxError(this.query, token.at, token.text);
  }
}

// ---------------------------------------------------------------------------------------------
// Compiler: resolves names and types before any row is read, as Kusto does, so a semantic error
// never depends on the data.

interface Column {
  name: string;
  type: ScalarType;
}
interface Compiled {
  type: ScalarType;
  evaluate: (row: Row) => Value;
}
interface Scope {
  operator: string;
  columns: readonly Column[];
  now: number;
}

const SCALAR_FUNCTIONS = ['ago', 'bin', 'isempty', 'isnotempty', 'isnull', 'isnotnull', 'not', 'now'];
const AGGREGATE_FUNCTIONS = ['count', 'dcount', 'max', 'min'];

function semanticError(operator: string, message: string): KqlError {
  return new KqlError('semantic', `Semantic error: '${operator}' operator: ${message}`);
}

const isNumeric = (type: ScalarType): boolean => type === 'long' || type === 'real';
const comparable = (left: ScalarType, right: ScalarType): boolean => left === right || (isNumeric(left) && isNumeric(right));

function compareValues(left: Value, right: Value): number {
  if (typeof left === 'string' && typeof right === 'string') return left < right ? -1 : left > right ? 1 : 0; // ordinal, as Kusto
  return Number(left) - Number(right);
}

function datetimeOrNull(value: number): number | null {
  return value >= MIN_DATETIME && value <= MAX_DATETIME ? value : null;
}

// A term is a maximal run of ASCII letters and digits (Kusto's string-operators page); `has` matches
// whole terms, so 'tkv/1.0 (linux)' has 'linux' but not 'lin'.
function hasTerm(haystack: string, needle: string): boolean {
  if (needle === '') return true;
  const isTermChar = (char: string | undefined): boolean => char !== undefined && /[A-Za-z0-9]/.test(char);
  const checkStart = isTermChar(needle[0]);
  const checkEnd = isTermChar(needle[needle.length - 1]);
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) {
    if ((!checkStart || !isTermChar(haystack[i - 1])) && (!checkEnd || !isTermChar(haystack[i + needle.length]))) return true;
  }
  return false;
}

const STRING_TESTS: Record<string, (haystack: string, needle: string) => boolean> = {
  has: hasTerm,
  contains: (haystack, needle) => haystack.includes(needle),
  startswith: (haystack, needle) => haystack.startsWith(needle),
  endswith: (haystack, needle) => haystack.endsWith(needle),
};

function compileExpression(expr: Expr, scope: Scope): Compiled {
  switch (expr.kind) {
    case 'literal': {
      const value = expr.value;
      return { type: expr.type, evaluate: () => value };
    }
    case 'column': {
      const index = scope.columns.findIndex((column) => column.name === expr.name);
      if (index === -1) throw semanticError(scope.operator, `Failed to resolve scalar expression named '${expr.name}'`);
      return { type: scope.columns[index]!.type, evaluate: (row) => row[index]! };
    }
    case 'call':
      return compileCall(expr, scope);
    case 'in':
      return compileIn(expr, scope);
    case 'binary':
      return compileBinary(expr, scope);
  }
}

function compileBinary(expr: Extract<Expr, { kind: 'binary' }>, scope: Scope): Compiled {
  const left = compileExpression(expr.left, scope);
  const right = compileExpression(expr.right, scope);
  const { op } = expr;
  if (op === 'and' || op === 'or') {
    if (left.type !== 'bool' || right.type !== 'bool') throw semanticError(scope.operator, `'${op}' needs bool operands, not ${left.type} and ${right.type}`);
    // Three-valued logic: null and false is false, null or true is true, anything else with null is null.
    const decisive = op === 'or';
    return {
      type: 'bool',
      evaluate: (row) => {
        const a = left.evaluate(row);
        if (a === decisive) return decisive;
        const b = right.evaluate(row);
        if (b === decisive) return decisive;
        return a === null || b === null ? null : !decisive;
      },
    };
  }
  const stringOnly = op === '=~' || op === '!~' || STRING_OPERATORS.has(op);
  if (stringOnly ? left.type !== 'string' || right.type !== 'string' : !comparable(left.type, right.type)) {
    throw semanticError(scope.operator, `Cannot compare values of types ${left.type} and ${right.type}${stringOnly ? ` with '${op}'` : ''}. Try adding explicit casts`);
  }
  const test = binaryTest(op);
  return {
    type: 'bool',
    evaluate: (row) => {
      const a = left.evaluate(row);
      const b = right.evaluate(row);
      return a === null || b === null ? null : test(a, b);
    },
  };
}

function binaryTest(op: string): (a: Value, b: Value) => boolean {
  switch (op) {
    case '==': return (a, b) => a === b;
    case '!=': return (a, b) => a !== b;
    case '=~': return (a, b) => (a as string).toLowerCase() === (b as string).toLowerCase();
    case '!~': return (a, b) => (a as string).toLowerCase() !== (b as string).toLowerCase();
    case '<': return (a, b) => compareValues(a, b) < 0;
    case '<=': return (a, b) => compareValues(a, b) <= 0;
    case '>': return (a, b) => compareValues(a, b) > 0;
    case '>=': return (a, b) => compareValues(a, b) >= 0;
  }
  // has, contains, startswith, endswith: case-insensitive unless _cs, negated with a leading '!'.
  const negated = op.startsWith('!');
  const caseSensitive = op.endsWith('_cs');
  const stringTest = STRING_TESTS[op.replace(/^!/, '').replace(/_cs$/, '')]!;
  return (a, b) => {
    const [haystack, needle] = caseSensitive ? [a as string, b as string] : [(a as string).toLowerCase(), (b as string).toLowerCase()];
    return stringTest(haystack, needle) !== negated;
  };
}

function compileIn(expr: Extract<Expr, { kind: 'in' }>, scope: Scope): Compiled {
  const left = compileExpression(expr.left, scope);
  const list = expr.list.map((item) => compileExpression(item, scope));
  const caseInsensitive = expr.op.endsWith('~');
  for (const item of list) {
    if (!comparable(left.type, item.type) || (caseInsensitive && left.type !== 'string')) {
      throw semanticError(scope.operator, `Cannot compare values of types ${left.type} and ${item.type} with '${expr.op}'. Try adding explicit casts`);
    }
  }
  const negated = expr.op.startsWith('!');
  const fold = (value: Value): Value => (caseInsensitive && typeof value === 'string' ? value.toLowerCase() : value);
  return {
    type: 'bool',
    evaluate: (row) => {
      const value = left.evaluate(row);
      if (value === null) return null;
      const found = list.some((item) => fold(item.evaluate(row)) === fold(value));
      return found !== negated;
    },
  };
}

function compileCall(expr: Extract<Expr, { kind: 'call' }>, scope: Scope): Compiled {
  const { name } = expr;
  if (AGGREGATE_FUNCTIONS.includes(name)) throw semanticError(scope.operator, `The function '${name}' cannot be invoked in the current context; aggregations belong in summarize`);
  if (!SCALAR_FUNCTIONS.includes(name)) {
    throw semanticError(scope.operator, `Unknown function: '${name}'. The sandbox knows ${[...SCALAR_FUNCTIONS, ...AGGREGATE_FUNCTIONS].sort().join(', ')}`);
  }
  const args = expr.args.map((arg) => compileExpression(arg, scope));
  const expect = (count: number, ...types: (ScalarType | 'any')[][]): void => {
    if (args.length !== count) throw semanticError(scope.operator, `The function '${name}' expects ${count} argument${count === 1 ? '' : 's'}, not ${args.length}`);
    args.forEach((arg, i) => {
      const allowed = types[i]!;
      if (!allowed.includes('any') && !allowed.includes(arg.type)) {
        throw semanticError(scope.operator, `The function '${name}' expects argument ${i + 1} of type ${allowed.join(' or ')}, not ${arg.type}`);
      }
    });
  };
  const [first] = args as [Compiled];
  switch (name) {
    case 'now': {
      expect(0);
      const { now } = scope;
      return { type: 'datetime', evaluate: () => now };
    }
    case 'ago': {
      expect(1, ['timespan']);
      const { now } = scope;
      return { type: 'datetime', evaluate: (row) => { const span = first.evaluate(row); return span === null ? null : datetimeOrNull(now - (span as number)); } };
    }
    case 'not':
      expect(1, ['bool']);
      return { type: 'bool', evaluate: (row) => { const value = first.evaluate(row); return value === null ? null : !value; } };
    case 'isempty':
    case 'isnotempty':
    case 'isnull':
    case 'isnotnull': {
      expect(1, ['any']);
      // A Kusto string is never null: isnull('') is false, isempty('') is true.
      const test = name.endsWith('empty') ? (value: Value) => value === null || value === '' : (value: Value) => value === null;
      const negated = name.startsWith('isnot');
      return { type: 'bool', evaluate: (row) => test(first.evaluate(row)) !== negated };
    }
    default: // bin
      expect(2, ['datetime', 'long', 'real'], first.type === 'datetime' ? ['timespan'] : ['long', 'real']);
      return compileBin(first, args[1]!);
  }
}

function compileBin(value: Compiled, span: Compiled): Compiled {
  if (value.type === 'datetime') {
    // Kusto counts datetime bins from 0001-01-01 (a Monday), not from 1970: bin(t, 7d) starts weeks on Monday.
    return {
      type: 'datetime',
      evaluate: (row) => {
        const [time, size] = [value.evaluate(row), span.evaluate(row)] as [number | null, number | null];
        if (time === null || size === null || size <= 0) return null;
        return datetimeOrNull(Math.floor((time - MIN_DATETIME) / size) * size + MIN_DATETIME);
      },
    };
  }
  return {
    type: value.type === 'long' && span.type === 'long' ? 'long' : 'real',
    evaluate: (row) => {
      const [number, size] = [value.evaluate(row), span.evaluate(row)] as [number | null, number | null];
      return number === null || size === null || size <= 0 ? null : Math.floor(number / size) * size;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Operators

interface Plan {
  columns: Column[];
  run: (rows: Row[]) => Row[];
}

function outputColumn(operator: string, name: string, type: ScalarType, taken: Set<string>): Column {
  if (type === 'timespan') throw semanticError(operator, `The sandbox cannot return the timespan column '${name}'`);
  if (taken.has(name)) throw semanticError(operator, `A column named '${name}' is already defined`);
  taken.add(name);
  return { name, type };
}

function compileStage(stage: Stage, columns: readonly Column[], now: number): Plan {
  const scope: Scope = { operator: stage.op, columns, now };
  switch (stage.op) {
    case 'where': {
      const predicate = compileExpression(stage.predicate, scope);
      if (predicate.type !== 'bool') throw semanticError('where', `The predicate must be a bool expression, not ${predicate.type}`);
      return { columns: [...columns], run: (rows) => rows.filter((row) => predicate.evaluate(row) === true) };
    }
    case 'project': {
      const taken = new Set<string>();
      let unnamed = 0;
      const items = stage.items.map(({ name, expr }) => {
        const compiled = compileExpression(expr, scope);
        const column = outputColumn('project', name ?? (expr.kind === 'column' ? expr.name : `Column${++unnamed}`), compiled.type, taken);
        return { column, compiled };
      });
      return { columns: items.map((item) => item.column), run: (rows) => rows.map((row) => items.map((item) => item.compiled.evaluate(row))) };
    }
    case 'order':
    case 'sort': {
      const keys = stage.keys.map((key) => ({ ...key, compiled: compileExpression(key.expr, scope) }));
      const compareRows = (a: Row, b: Row): number => {
        for (const key of keys) {
          const [x, y] = [key.compiled.evaluate(a), key.compiled.evaluate(b)];
          if (x === null || y === null) {
            if (x !== y) return (x === null) === key.nullsFirst ? -1 : 1;
            continue;
          }
          const order = compareValues(x, y);
          if (order !== 0) return key.descending ? -order : order;
        }
        return 0;
      };
      return { columns: [...columns], run: (rows) => [...rows].sort(compareRows) };
    }
    case 'take':
    case 'limit': {
      const { count } = stage;
      return { columns: [...columns], run: (rows) => rows.slice(0, count) };
    }
    case 'summarize':
      return compileSummarize(stage, scope);
  }
}

type Accumulator = { add: (row: Row) => void; result: () => Value };

function compileSummarize(stage: Extract<Stage, { op: 'summarize' }>, scope: Scope): Plan {
  const taken = new Set<string>();
  let unnamed = 0;
  const groups = stage.by.map(({ name, expr }) => {
    const compiled = compileExpression(expr, scope);
    // Kusto names `by bin(timestamp, 1h)` after its column, as it does `by timestamp`.
    const source = expr.kind === 'call' && expr.name === 'bin' ? expr.args[0] : expr;
    const column = outputColumn('summarize', name ?? (source?.kind === 'column' ? source.name : `Column${++unnamed}`), compiled.type, taken);
    return { column, compiled };
  });
  const aggregates = stage.aggregates.map(({ name, expr }) => compileAggregate(name, expr, scope, taken));
  return {
    columns: [...groups.map((group) => group.column), ...aggregates.map((aggregate) => aggregate.column)],
    run: (rows) => {
      const buckets = new Map<string, { keys: Row; accumulators: Accumulator[] }>();
      for (const row of rows) {
        const keys = groups.map((group) => group.compiled.evaluate(row));
        const id = JSON.stringify(keys);
        let bucket = buckets.get(id);
        if (!bucket) buckets.set(id, (bucket = { keys, accumulators: aggregates.map((aggregate) => aggregate.start()) }));
        for (const accumulator of bucket.accumulators) accumulator.add(row);
      }
      // Without `by`, Kusto answers one row even for no input (count_ = 0); with `by`, no rows.
      if (groups.length === 0 && buckets.size === 0) buckets.set('', { keys: [], accumulators: aggregates.map((aggregate) => aggregate.start()) });
      return [...buckets.values()].map((bucket) => [...bucket.keys, ...bucket.accumulators.map((accumulator) => accumulator.result())]);
    },
  };
}

function compileAggregate(name: string | undefined, expr: Expr, scope: Scope, taken: Set<string>): { column: Column; start: () => Accumulator } {
  if (expr.kind !== 'call' || !AGGREGATE_FUNCTIONS.includes(expr.name)) {
    throw semanticError('summarize', `Expected an aggregation function (${AGGREGATE_FUNCTIONS.map((fn) => `${fn}()`).join(', ')}) or a 'by' clause`);
  }
  const fn = expr.name;
  const arity = fn === 'count' ? 0 : 1;
  if (expr.args.length !== arity) throw semanticError('summarize', `The function '${fn}' expects ${arity} argument${arity === 1 ? '' : 's'}, not ${expr.args.length}`);
  const argument = expr.args[0];
  const compiled = argument && compileExpression(argument, scope);
  if ((fn === 'max' || fn === 'min') && compiled && !['string', 'long', 'real', 'datetime'].includes(compiled.type)) {
    throw semanticError('summarize', `The function '${fn}' expects a string, long, real or datetime argument, not ${compiled.type}`);
  }
  // Default names as Kusto gives them (count_, max_timestamp), numbered when they collide (count_1).
  let columnName = name;
  if (columnName === undefined) {
    if (argument && argument.kind !== 'column') throw semanticError('summarize', `Name the aggregate over an expression, e.g. Name = ${fn}(...)`);
    const base = `${fn}_${argument?.kind === 'column' ? argument.name : ''}`;
    columnName = base;
    for (let n = 1; taken.has(columnName); n++) columnName = `${base}${n}`;
  }
  const type: ScalarType = fn === 'count' || fn === 'dcount' ? 'long' : compiled!.type;
  const column = outputColumn('summarize', columnName, type, taken);
  const evaluate = compiled?.evaluate ?? (() => null);
  const start = (): Accumulator => {
    if (fn === 'count') {
      let count = 0;
      return { add: () => { count++; }, result: () => count };
    }
    if (fn === 'dcount') {
      // Exact; Kusto's dcount is a HyperLogLog estimate, which is exact at this size.
      const seen = new Set<Value>();
      return { add: (row) => { const value = evaluate(row); if (value !== null) seen.add(value); }, result: () => seen.size };
    }
    const sign = fn === 'max' ? 1 : -1;
    let best: Value = null;
    return {
      add: (row) => {
        const value = evaluate(row);
        if (value !== null && (best === null || sign * compareValues(value, best) > 0)) best = value;
      },
      result: () => best ?? (type === 'string' ? '' : null),
    };
  };
  return { column, start };
}

// ---------------------------------------------------------------------------------------------
// Tables in and out

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
// The product's usage query

/**
 * The sandbox's `Logs` table: one row per request it serves. The vendor's schema is not public;
 * these are the sandbox's names, which the default template and mapping below use.
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

/** Which `Logs` column names the key, the time, the caller's address and its user agent. */
export const DEFAULT_COLUMN_MAPPING = { key: 'keyName', time: 'timestamp', address: 'remoteAddress', userAgent: 'userAgent' } as const;

const { key, time, address, userAgent } = DEFAULT_COLUMN_MAPPING;
/**
 * The per-tenant template the product runs to learn when, from where and by what each key was last
 * used: one row per hour, caller address and user agent, oldest hour first, with columns `Hour`,
 * `remoteAddress`, `userAgent`, `Requests` and `LastSeen`. The placeholders stand for whole literals
 * (fill them with `renderUsageQuery`): `{keyName}` becomes a quoted KQL string, `{since}` a timespan
 * such as `45d` (the vendor keeps 45 days).
 */
export const DEFAULT_USAGE_QUERY =
  `Logs | where ${time} > ago({since}) and ${key} == {keyName} ` +
  `| summarize Requests = count(), LastSeen = max(${time}) by Hour = bin(${time}, 1h), ${address}, ${userAgent} ` +
  '| order by Hour asc';

/** A KQL string literal that reads back as exactly `value`: no quote or backslash in it can end it early. */
export function kqlString(value: string): string {
  return `'${value.replace(/[\\'\n\r\t]/g, (char) => ({ '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' })[char]!)}'`;
}

/**
 * Fills a usage template's `{keyName}` and `{since}` in one pass, so text inside the key name is
 * never read as a placeholder. `since` must be a timespan literal (`45d`, `24h`, `30m`).
 */
export function renderUsageQuery(template: string, values: { keyName: string; since: string }): string {
  if (!/^\d+(?:d|h|m|s|ms)$/.test(values.since)) throw new RangeError(`'${values.since}' is not a KQL timespan such as 45d, 24h or 30m.`);
  return template.replace(/\{(keyName|since)\}/g, (_match, placeholder: string) => (placeholder === 'keyName' ? kqlString(values.keyName) : values.since));
}
