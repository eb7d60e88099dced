/** KQL's tokens: words, strings, numbers, timespans, datetimes and symbols, with where each is. */
import { KqlError, type Value } from './model.ts';

export type TokenKind = 'identifier' | 'string' | 'long' | 'real' | 'timespan' | 'datetime' | 'symbol' | 'end';
export interface Token {
  kind: TokenKind;
  text: string;
  value: Value;
  at: number;
}

export const SYMBOLS = ['==', '!=', '=~', '!~', '<=', '>=', '<', '>', '=', '(', ')', ',', '|', '-'];
export const TIMESPAN_UNITS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
export const STRING_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', n: '\n', r: '\r', t: '\t' };
// Kusto's datetime range, 0001-01-01 to 9999-12-31; also keeps `toISOString` from throwing.
export const MIN_DATETIME = Date.parse('0001-01-01T00:00:00Z');
export const MAX_DATETIME = Date.parse('9999-12-31T23:59:59.999Z');

export const IDENTIFIER = /!?[A-Za-z_][A-Za-z0-9_]*/y;
export const NUMBER = /(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([A-Za-z]*)/y;
export const DATETIME_TEXT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:\d{2})?$/;

export function positionOf(query: string, at: number): { line: number; column: number } {
  const before = query.slice(0, at);
  return { line: before.split('\n').length, column: at - (before.lastIndexOf('\n') + 1) };
}

export function syntaxError(query: string, at: number, token: string, note?: string): KqlError {
  const { line, column } = positionOf(query, at);
  const where = `Query could not be parsed at '${token}' on line [${line},${column}]`;
  return new KqlError('syntax', `Syntax error: ${where}${note ? `: ${note}` : ''}`, { line, column, token });
}

export function tokenize(query: string): Token[] {
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

export function readString(query: string, start: number): { value: string; end: number } {
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
export function readDatetime(query: string, at: number, afterWord: number): { token: Token; end: number } {
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

export function parseDatetime(text: string): number | undefined {
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
